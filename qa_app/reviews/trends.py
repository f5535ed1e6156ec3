"""An agent's own trend per criterion against their team's average, from submitted evaluations.

Chart geometry (points in a 0..100 box) is computed here so the template only draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from qa_app.agents.models import Agent
from qa_app.auth.models import User
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.reviews.models import Criterion, Evaluation, EvaluationItem, EvaluationStatus

LIMIT = 20  # the most recent evaluations drawn per criterion


@dataclass(frozen=True)
class Trend:
    label: str
    values: tuple[float, ...]  # 0-100, oldest first
    dates: tuple[datetime, ...]
    team_average: float | None

    @property
    def latest(self) -> float:
        return self.values[-1]

    @property
    def average(self) -> float:
        return sum(self.values) / len(self.values)

    def points(self, width: float = 100, height: float = 40) -> str:
        """SVG polyline points; one value is drawn as a short flat line."""
        values = self.values if len(self.values) > 1 else self.values * 2
        step = width / (len(values) - 1)
        return " ".join(
            f"{i * step:.1f},{height - v / 100 * height:.1f}" for i, v in enumerate(values)
        )

    def y(self, value: float, height: float = 40) -> float:
        return round(height - value / 100 * height, 1)


def _reviewed() -> list:
    return [
        Evaluation.status != EvaluationStatus.DRAFT,
        Evaluation.calibration_id.is_(None),
        Evaluation.submitted_at.is_not(None),
    ]


def agent_trends(user: User) -> list[Trend]:
    """Total first, then each criterion the agent was scored on."""
    if user.agent_id is None:
        return []
    agent = db.session.get(Agent, user.agent_id)
    team_agents = (
        select(Agent.id).where(Agent.team_id == agent.team_id)
        if agent is not None and agent.team_id is not None
        else None
    )
    totals = db.session.execute(
        select(Evaluation.total, Evaluation.submitted_at)
        .join(Evaluation.interaction)
        .where(Interaction.agent_id == user.agent_id, Evaluation.total.is_not(None), *_reviewed())
        .order_by(Evaluation.submitted_at.desc())
        .limit(LIMIT)
    ).all()[::-1]
    trends: list[Trend] = []
    if totals:
        team_total = None
        if team_agents is not None:
            team_total = db.session.scalar(
                select(func.avg(Evaluation.total))
                .join(Evaluation.interaction)
                .where(Interaction.agent_id.in_(team_agents), *_reviewed())
            )
        trends.append(
            Trend(
                "Total",
                tuple(float(t) for t, _ in totals),
                tuple(d for _, d in totals),
                team_total,
            )
        )
    items = db.session.execute(
        select(Criterion.key, Criterion.label, EvaluationItem.score, Evaluation.submitted_at)
        .join(EvaluationItem.criterion)
        .join(EvaluationItem.evaluation)
        .join(Evaluation.interaction)
        .where(
            Interaction.agent_id == user.agent_id,
            EvaluationItem.score.is_not(None),
            EvaluationItem.is_na.is_(False),
            *_reviewed(),
        )
        .order_by(Criterion.position, Evaluation.submitted_at)
    ).all()
    team_avg: dict[str, float] = {}
    if team_agents is not None:
        team_avg = {
            key: 100 * avg
            for key, avg in db.session.execute(
                select(Criterion.key, func.avg(EvaluationItem.score))
                .join(EvaluationItem.criterion)
                .join(EvaluationItem.evaluation)
                .join(Evaluation.interaction)
                .where(
                    Interaction.agent_id.in_(team_agents),
                    EvaluationItem.is_na.is_(False),
                    *_reviewed(),
                )
                .group_by(Criterion.key)
            )
            if avg is not None
        }
    grouped: dict[str, tuple[str, list[tuple[float, datetime]]]] = {}
    for key, label, score, submitted in items:
        grouped.setdefault(key, (label, []))[1].append((100 * score, submitted))
    for key, (label, values) in grouped.items():
        recent = values[-LIMIT:]
        trends.append(
            Trend(
                label,
                tuple(v for v, _ in recent),
                tuple(d for _, d in recent),
                team_avg.get(key),
            )
        )
    return trends
