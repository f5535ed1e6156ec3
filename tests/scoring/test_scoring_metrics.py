"""Conversation metrics on a timed transcript with known silences, overlaps and monologues."""

from __future__ import annotations

import pytest

from scoring import Interaction, Turn, compute_metrics, interaction_from_text


def _call() -> Interaction:
    lines = [
        ("agent", 0.0, 10.0, "one two three four five six seven eight nine ten"),
        ("agent", 10.0, 20.0, "more words from the agent here"),
        ("customer", 19.0, 25.0, "I am very angry about this terrible service"),
        ("agent", 22.0, 26.0, "sorry"),  # starts while the customer talks: an interruption
        ("customer", 60.0, 65.0, "Great, thank you, that is wonderful"),  # after a 34 s hold
    ]
    return Interaction("m", tuple(Turn(i, w, t, s, e) for i, (w, s, e, t) in enumerate(lines)))


def test_timed_metrics() -> None:
    m = compute_metrics(_call(), hold_seconds=30)
    assert m["duration"] == 65.0
    assert m["agent_talk_ratio"] == pytest.approx(24 / (24 + 11), abs=1e-3)
    assert m["longest_silence"] == 34.0 and m["holds"] == 1
    assert m["silence_share"] == pytest.approx(34 / 65, abs=1e-3)
    assert m["overtalk_seconds"] == pytest.approx(4.0)  # 19-20 and 22-25
    assert m["interruptions_by_agent"] == 1  # the customer cut in at 19 s, not the agent
    assert m["longest_agent_monologue"] == 20.0
    assert m["agent_words_per_minute"] == pytest.approx(17 / (24 / 60), abs=0.1)
    assert m["customer_sentiment_start"] < -0.3 < 0.3 < m["customer_sentiment_end"]


def test_untimed_metrics_use_words_and_leave_times_empty() -> None:
    m = compute_metrics(interaction_from_text("Agent: a b c\nCustomer: d\n"))
    assert m["agent_talk_ratio"] == 0.75
    assert m["silence_share"] is None and m["holds"] is None
