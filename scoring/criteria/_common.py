"""Small helpers the built-in scorers share."""

from __future__ import annotations

from collections.abc import Sequence

from scoring.text import fuzzy_find
from scoring.types import CriterionResult, Evidence, Interaction, Turn


def evidence(turn: Turn, reason: str, limit: int = 240) -> Evidence:
    quote = turn.text if len(turn.text) <= limit else turn.text[: limit - 1] + "…"
    return Evidence(segment=turn.id, quote=quote, reason=reason, start=turn.start, end=turn.end)


def opening_turns(interaction: Interaction, max_turns: int, max_seconds: float) -> list[Turn]:
    """The agent's first turns: at most ``max_turns``, and within ``max_seconds`` when timed."""
    origin = interaction.turns[0].start if interaction.has_times else None
    chosen = []
    for turn in interaction.agent_turns[:max_turns]:
        if origin is not None and turn.start is not None and turn.start - origin > max_seconds:
            break
        chosen.append(turn)
    return chosen


def closing_turns(interaction: Interaction, max_turns: int, max_seconds: float) -> list[Turn]:
    """The agent's last turns: at most ``max_turns``, and within ``max_seconds`` of the end."""
    agent = interaction.agent_turns
    chosen = list(agent[-max_turns:]) if max_turns > 0 else []
    if interaction.has_times:
        finish = max(t.end for t in interaction.turns if t.end is not None)
        chosen = [t for t in chosen if t.end is not None and finish - t.end <= max_seconds]
    return chosen


def two_part_result(
    turns: Sequence[Turn],
    parts: Sequence[tuple[Sequence[str], str]],
    threshold: float,
    labels: tuple[str, str, str],
) -> CriterionResult:
    """Half a point for each part (a list of phrases and its name) found in ``turns``.

    :param labels: the label for all, one and none of the two parts found.
    """
    found = []
    for phrases, what in parts:
        for turn in turns:
            match = fuzzy_find(phrases, turn.text, threshold)
            if match:
                found.append(evidence(turn, f"{what}: '{match[0]}'"))
                break
    hits = len(found)
    label = {2: labels[0], 1: labels[1], 0: labels[2]}[hits]
    return CriterionResult(hits / 2, label, 0.9 if hits != 1 else 0.7, tuple(found))
