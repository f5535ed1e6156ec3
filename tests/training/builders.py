"""Constructed score histories for the training tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from training import Observation

START = datetime(2025, 3, 3, 9, 0)


def at(day: float) -> datetime:
    return START + timedelta(days=day)


def obs(
    agent: str,
    criterion: str,
    score: float,
    day: float,
    *,
    source: str = "human",
    evaluation: str | None = None,
    opportunities: int | None = None,
    missed: int | None = None,
) -> Observation:
    return Observation(
        agent_id=agent,
        criterion=criterion,
        score=score,
        source=source,  # type: ignore[arg-type]
        observed_at=at(day),
        evaluation_id=evaluation or f"{agent}-e{day:g}",
        interaction_id=f"call-{agent}-{day:g}",
        opportunities=opportunities,
        missed=missed,
    )


def series(
    agent: str, criterion: str, scores: list[float], *, first_day: float = 0, **kwargs
) -> list[Observation]:
    """One observation a day, one evaluation each."""
    return [obs(agent, criterion, s, first_day + i, **kwargs) for i, s in enumerate(scores)]
