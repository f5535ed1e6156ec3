"""Conversation metrics from segment times and text: talk ratio, silences, overtalk, pace, mood.

Time-based metrics are None for untimed (chat/email) interactions.
"""

from __future__ import annotations

from typing import Any

from scoring.sentiment import compound
from scoring.types import Interaction, Turn

__all__ = ["compute_metrics"]

Span = tuple[float, float]


def _merged(turns: list[Turn]) -> list[Span]:
    spans = sorted((t.start, t.end) for t in turns if t.end > t.start)  # type: ignore[operator]
    merged: list[list[float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _intersection(a: list[Span], b: list[Span]) -> float:
    i = j = 0
    total = 0.0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _timed(interaction: Interaction, hold_seconds: float) -> dict[str, Any]:
    turns = [t for t in interaction.turns if t.start is not None and t.end is not None]
    agent = [t for t in turns if t.is_agent]
    customer = [t for t in turns if t.is_customer]
    begin = min(t.start for t in turns)  # type: ignore[type-var]
    finish = max(t.end for t in turns)  # type: ignore[type-var]
    duration = max(finish - begin, 1e-9)
    speech = _merged(turns)
    gaps = [b[0] - a[1] for a, b in zip(speech, speech[1:], strict=False)]
    agent_spans, customer_spans = _merged(agent), _merged(customer)
    agent_time = sum(b - a for a, b in agent_spans)
    customer_time = sum(b - a for a, b in customer_spans)

    interruptions = 0
    for turn in agent:
        for other in customer:
            # the agent starts while the customer is mid-turn (not just at its last moment)
            if other.start < turn.start < other.end - 0.3:  # type: ignore[operator]
                interruptions += 1
                break

    monologue = 0.0
    run_start = run_end = None
    for turn in sorted(turns, key=lambda t: t.start):  # type: ignore[arg-type, return-value]
        if turn.is_agent:
            if run_start is None:
                run_start = turn.start
            run_end = max(run_end or turn.end, turn.end)  # type: ignore[type-var]
            monologue = max(monologue, run_end - run_start)  # type: ignore[operator]
        elif turn.is_customer:
            run_start = run_end = None

    agent_words = sum(len(t.text.split()) for t in agent)
    return {
        "duration": round(duration, 2),
        "agent_talk_ratio": round(agent_time / max(agent_time + customer_time, 1e-9), 4),
        "silence_share": round(max(0.0, 1 - sum(b - a for a, b in speech) / duration), 4),
        "longest_silence": round(max(gaps, default=0.0), 2),
        "overtalk_seconds": round(_intersection(agent_spans, customer_spans), 2),
        "interruptions_by_agent": interruptions,
        "longest_agent_monologue": round(monologue, 2),
        "agent_words_per_minute": round(agent_words / (agent_time / 60), 1) if agent_time else None,
        "holds": sum(1 for g in gaps if g >= hold_seconds),
    }


def compute_metrics(interaction: Interaction, hold_seconds: float = 30.0) -> dict[str, Any]:
    """All metrics of one interaction; a silence of ``hold_seconds`` or more counts as a hold."""
    agent_words = sum(len(t.text.split()) for t in interaction.agent_turns)
    customer_words = sum(len(t.text.split()) for t in interaction.customer_turns)
    metrics: dict[str, Any] = dict.fromkeys(
        (
            "duration",
            "agent_talk_ratio",
            "silence_share",
            "longest_silence",
            "overtalk_seconds",
            "interruptions_by_agent",
            "longest_agent_monologue",
            "agent_words_per_minute",
            "holds",
        )
    )
    if interaction.has_times:
        metrics.update(_timed(interaction, hold_seconds))
    else:
        total = agent_words + customer_words
        metrics["agent_talk_ratio"] = round(agent_words / total, 4) if total else None
    customer = interaction.customer_turns
    metrics["customer_sentiment_start"] = round(compound(customer[0].text), 4) if customer else None
    metrics["customer_sentiment_end"] = round(compound(customer[-1].text), 4) if customer else None
    metrics["agent_turns"] = len(interaction.agent_turns)
    metrics["customer_turns"] = len(customer)
    return metrics
