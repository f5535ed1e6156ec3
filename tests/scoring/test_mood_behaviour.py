"""Mood on hand-written dialogues with the real encoder and the shipped weights."""

from __future__ import annotations

import pytest

from scoring import (
    Interaction,
    Turn,
    interaction_mood,
    load_interaction,
    mood_trajectory_score,
    text_moods,
)
from scoring.mood_analysis import interaction_moods
from scoring.mood_model import FEATURES, LABELS, load_model
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "scoring" / "mood"

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def moods():  # type: ignore[no-untyped-def]
    names = ("curt_repeats", "polite_repeats", "resolved")
    results = interaction_moods([load_interaction(DATA / f"{n}.txt") for n in names])
    return dict(zip(names, results, strict=True))


def test_shipped_weights_match_the_encoder() -> None:
    from scoring.encoder import DIMENSIONS, model_name

    model = load_model()
    assert model.weights.shape == (len(LABELS), DIMENSIONS + 1)  # + the lexicon score
    assert model.encoder == model_name() and model.features == FEATURES


def test_a_customer_repeating_a_request_curtly_gets_worse(moods) -> None:  # type: ignore[no-untyped-def]
    result = moods["curt_repeats"]
    assert result.trajectory == "worse" and result.end == "negative"
    assert mood_trajectory_score(result) < 0.4
    repeats = [t.turn for t in result.turns if "repeat" in t.cues]
    assert repeats and result.lowest is not None and result.lowest.turn in repeats
    assert any(c.after == "negative" for c in result.changes)
    # the request itself has no negative words: without the cues it is not negative
    first = next(t for t in result.turns if t.speaker == "customer")
    assert first.label != "negative"


def test_polite_words_do_not_hide_a_repeated_request(moods) -> None:  # type: ignore[no-untyped-def]
    result = moods["polite_repeats"]
    assert result.trajectory == "worse"
    assert result.end == "negative" and result.label != "positive"
    last = [t for t in result.turns if t.speaker == "customer"][-1]
    assert last.label == "negative" and "repeat" in last.cues


def test_a_solved_problem_ends_better(moods) -> None:  # type: ignore[no-untyped-def]
    result = moods["resolved"]
    assert result.start == "negative" and result.trajectory == "better"
    assert mood_trajectory_score(result) > 0.6
    assert mood_trajectory_score(result) > mood_trajectory_score(moods["curt_repeats"])


def test_agent_tone_is_rated_apart_from_the_customer() -> None:
    interaction = Interaction(
        "tone",
        (
            Turn(0, "agent", "Look, I've told you already, there is nothing I can do."),
            Turn(1, "customer", "Okay, I would like to book a delivery slot for Friday."),
            Turn(2, "agent", "Stop wasting my time, this is ridiculous."),
        ),
    )
    result = interaction_mood(interaction)
    assert result.agent_label == "negative"
    assert [t.turn for t in result.turns if t.speaker == "customer"] == [1]
    assert result.lowest is not None and result.lowest.turn == 1
    assert result.lowest.label != "negative"


def test_text_moods_read_unseen_sentences() -> None:
    results = text_moods(
        [
            "The engineer fixed everything in ten minutes, wonderful service.",
            "My bill doubled and nobody will explain why.",
            "The shop is next to the train station.",
        ]
    )
    assert [r.label for r in results] == ["positive", "negative", "neutral"]
    assert results[0].score > results[2].score > results[1].score
    assert all(-1.0 <= r.score <= 1.0 for r in results)
