"""Small helpers the built-in scorers share."""

from __future__ import annotations

from scoring.types import Evidence, Interaction, Turn


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
