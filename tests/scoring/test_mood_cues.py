"""Dialogue cues and the summary logic, on hand-made embeddings (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.mood_analysis import label_for_score, mood_trajectory_score, summarize_turns
from scoring.mood_dialogue import content_words, dialogue_cues
from scoring.mood_types import TurnMood


def _orthogonal(n: int) -> np.ndarray:
    """Unit vectors with cosine 0 between any two: only lexical cues can fire."""
    return np.eye(n, 8)


def _cues(turns: list[tuple[str, str]], emb: np.ndarray | None = None, bad=None):  # type: ignore[no-untyped-def]
    speakers = [s for s, _ in turns]
    texts = [t for _, t in turns]
    emb = _orthogonal(len(turns)) if emb is None else emb
    bad = [0.0] * len(turns) if bad is None else bad
    return dialogue_cues(speakers, texts, emb, bad)


def test_content_words_drop_function_words_and_stem() -> None:
    assert content_words("I need the invoices corrected, please") == {"need", "invoic", "correct"}


def test_a_reworded_request_is_a_repeat_by_overlap() -> None:
    cues = _cues(
        [
            ("agent", "How can I help?"),
            ("customer", "I want a refund for the broken kettle."),
            ("agent", "Can you give me your postcode?"),
            ("customer", "Refund the broken kettle."),
        ]
    )
    assert cues[0] is None and cues[2] is None
    assert cues[1] is not None and not cues[1].repeat
    assert cues[3] is not None and cues[3].repeat and cues[3].repeat_of == 1


def test_a_near_identical_embedding_is_a_repeat_even_without_shared_words() -> None:
    emb = _orthogonal(4)
    emb[3] = emb[1]  # cosine 1 with turn 1
    cues = _cues(
        [
            ("agent", "Hello."),
            ("customer", "Please move my appointment."),
            ("agent", "Sure."),
            ("customer", "Reschedule that booking."),
        ],
        emb,
    )
    assert cues[3] is not None and cues[3].repeat_of == 1


def test_saying_it_again_is_a_repeat_but_a_new_topic_is_not() -> None:
    cues = _cues(
        [
            ("agent", "Hello."),
            ("customer", "My router keeps dropping the connection."),
            ("agent", "Have you restarted it?"),
            ("customer", "As I said, I restarted it twice."),
            ("agent", "Anything else?"),
            ("customer", "Could you also update my billing address?"),
        ]
    )
    assert cues[3] is not None and cues[3].repeat
    assert cues[5] is not None and not cues[5].repeat


def test_repeats_escalate() -> None:
    cues = _cues(
        [
            ("customer", "Cancel my gym membership today."),
            ("agent", "Which gym?"),
            ("customer", "Cancel my gym membership."),
            ("agent", "Which gym?"),
            ("customer", "Cancel the gym membership now."),
        ]
    )
    first, second = cues[2], cues[4]
    assert first is not None and second is not None and first.repeat and second.repeat
    assert second.negative_shift() > first.negative_shift() > 0


def test_curt_needs_a_shorter_reply_than_usual_and_no_warmth_or_data() -> None:
    opening = ("customer", "Hi there, I was hoping you could help me set up my new phone today.")
    ask = ("agent", "What do you need?")
    curt = _cues([opening, ask, ("customer", "Whatever works.")])[2]
    warm = _cues([opening, ask, ("customer", "Great, thanks.")])[2]
    data = _cues([opening, ask, ("customer", "Order 4471.")])[2]
    first = _cues([ask, ("customer", "Fine.")])[1]
    assert curt is not None and curt.curt
    assert warm is not None and not warm.curt
    assert data is not None and not data.curt
    assert first is not None and not first.curt  # nothing earlier to be shorter than


def test_bad_news_from_the_agent_is_seen_by_words_or_by_the_classifier() -> None:
    turns = [("agent", "That model is sold out, I'm afraid."), ("customer", "Oh.")]
    assert _cues(turns)[1].after_bad_news  # type: ignore[union-attr]
    plain = [("agent", "The store opens at nine."), ("customer", "Oh.")]
    assert not _cues(plain)[1].after_bad_news  # type: ignore[union-attr]
    assert _cues(plain, bad=[0.9, 0.0])[1].after_bad_news  # type: ignore[union-attr]


def _turn(i: int, score: float, speaker: str = "customer") -> TurnMood:
    return TurnMood(i, speaker, label_for_score(score), score)


def test_summary_start_end_lowest_and_changes() -> None:
    turns = [_turn(0, 0.3, "agent"), _turn(1, 0.0), _turn(2, -0.1), _turn(3, -0.7), _turn(4, -0.6)]
    result = summarize_turns("x", turns, ["a", "b", "c", "d", "e"])
    assert (result.start, result.end, result.trajectory) == ("neutral", "negative", "worse")
    assert result.lowest is not None and result.lowest.turn == 3
    assert [(c.turn, c.before, c.after, c.quote) for c in result.changes] == [
        (3, "neutral", "negative", "d")
    ]
    assert result.agent_label == "positive"
    assert mood_trajectory_score(result) < 0.5


@pytest.mark.parametrize(
    ("scores", "trajectory"),
    [((-0.6, 0.5), "better"), ((0.1, 0.0), "same"), ((0.5, -0.5), "worse")],
)
def test_trajectory_and_its_score_agree(scores: tuple[float, float], trajectory: str) -> None:
    result = summarize_turns("x", [_turn(0, scores[0]), _turn(1, scores[1])], ["a", "b"])
    assert result.trajectory == trajectory
    value = mood_trajectory_score(result)
    assert 0.0 <= value <= 1.0
    assert (value > 0.55) == (trajectory == "better")
    assert (value < 0.45) == (trajectory == "worse")


def test_no_customer_turns_is_same_and_half() -> None:
    result = summarize_turns("x", [_turn(0, 0.5, "agent")], ["hi"])
    assert result.trajectory == "same" and result.lowest is None
    assert mood_trajectory_score(result) == 0.5
    assert result.to_dict()["agent"]["label"] == "positive"
