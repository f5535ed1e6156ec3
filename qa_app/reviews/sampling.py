"""Sampling rules fill review queues; every draw records its seed so it can be reproduced.

A draw looks at the ready interactions of a window (``params.days`` back from the draw time),
keeps those the rule selects, and for random rules shuffles with ``random.Random(seed)`` over
candidates sorted by id: the same candidates and seed always give the same sample.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import joinedload

from qa_app.admin.services import record_audit
from qa_app.agents.models import Agent, Team
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction, Status
from qa_app.extensions import db
from qa_app.reviews.models import (
    Evaluation,
    EvaluationStatus,
    QueueEntry,
    ReviewQueue,
    SamplingRule,
)
from qa_app.timeutil import utcnow

KINDS = {
    "random_per_agent": "N random interactions per agent",
    "auto_fail": "Every auto-fail",
    "ai_below": "Every interaction with an AI total below X",
    "negative_end": "Every call ending with a negative customer mood",
}
NEGATIVE_MOOD = -0.05


@dataclass(frozen=True)
class NewRule:
    queue_name: str
    kind: str
    team_id: int | None = None
    reviewer_id: int | None = None
    per_agent: int = 2
    threshold: float = 60.0
    days: int = 7


@dataclass(frozen=True)
class Draw:
    rule_id: int
    seed: int
    since: datetime
    until: datetime
    candidates: int
    picked: tuple[int, ...]


def _reviewed_clause() -> Any:
    return exists().where(
        Evaluation.interaction_id == Interaction.id,
        Evaluation.status != EvaluationStatus.DRAFT,
        Evaluation.calibration_id.is_(None),
    )


def create_rule(data: NewRule, actor: User) -> SamplingRule:
    if data.kind not in KINDS:
        raise ValueError(f"unknown sampling rule {data.kind!r}")
    name = data.queue_name.strip()
    queue = db.session.scalar(select(ReviewQueue).where(ReviewQueue.name == name))
    if queue is None:
        queue = ReviewQueue(name=name, team_id=data.team_id, reviewer_id=data.reviewer_id)
        db.session.add(queue)
    rule = SamplingRule(
        team_id=data.team_id,
        queue=queue,
        kind=data.kind,
        params={"per_agent": data.per_agent, "threshold": data.threshold, "days": data.days},
    )
    db.session.add(rule)
    db.session.flush()
    record_audit(actor, "sampling.rule_create", rule, after={"kind": rule.kind, **rule.params})
    return rule


def candidates(rule: SamplingRule, since: datetime, until: datetime) -> list[Interaction]:
    """What the rule would select in the window, sorted by id (the order seeds apply to)."""
    already = select(QueueEntry.interaction_id).where(QueueEntry.queue_id == rule.queue_id)
    query = select(Interaction).where(
        Interaction.status == Status.READY,
        Interaction.started_at >= since,
        Interaction.started_at < until,
        Interaction.id.not_in(already),
        ~_reviewed_clause(),
    )
    if rule.team_id is not None:
        query = query.where(
            Interaction.agent_id.in_(select(Agent.id).where(Agent.team_id == rule.team_id))
        )
    if rule.kind == "auto_fail":
        query = query.where(Interaction.ai_auto_fail.is_(True))
    elif rule.kind == "ai_below":
        query = query.where(Interaction.ai_total < float(rule.params.get("threshold", 60)))
    found = list(db.session.scalars(query.order_by(Interaction.id)))
    if rule.kind == "negative_end":
        found = [
            i
            for i in found
            if (i.metrics or {}).get("customer_sentiment_end") is not None
            and i.metrics["customer_sentiment_end"] < NEGATIVE_MOOD
        ]
    return found


def pick(rule: SamplingRule, pool: list[Interaction], seed: int) -> list[Interaction]:
    if rule.kind != "random_per_agent":
        return pool
    per_agent = int(rule.params.get("per_agent", 2))
    by_agent: dict[int, list[Interaction]] = defaultdict(list)
    for interaction in pool:
        by_agent[interaction.agent_id or 0].append(interaction)
    rng = random.Random(seed)
    chosen: list[Interaction] = []
    for agent_id in sorted(by_agent):
        group = by_agent[agent_id]
        chosen += rng.sample(group, min(per_agent, len(group)))
    return sorted(chosen, key=lambda i: i.id)


def draw(
    rule: SamplingRule, actor: User | None, *, now: datetime | None = None, seed: int | None = None
) -> Draw:
    """Add the rule's sample to its queue; the seed and window go to the audit log."""
    until = now or utcnow()
    since = until - timedelta(days=int(rule.params.get("days", 7)))
    seed = secrets.randbits(48) if seed is None else seed
    pool = candidates(rule, since, until)
    chosen = pick(rule, pool, seed)
    for interaction in chosen:
        db.session.add(
            QueueEntry(queue_id=rule.queue_id, interaction=interaction, rule=rule, draw_seed=seed)
        )
    result = Draw(rule.id, seed, since, until, len(pool), tuple(i.id for i in chosen))
    record_audit(
        actor,
        "sampling.draw",
        rule,
        after={
            "seed": seed,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "candidates": len(pool),
            "picked": list(result.picked),
        },
    )
    db.session.flush()
    return result


def draw_all(actor: User | None = None, now: datetime | None = None) -> list[Draw]:
    rules = db.session.scalars(select(SamplingRule).where(SamplingRule.is_active.is_(True)))
    return [draw(rule, actor, now=now) for rule in rules]


def list_rules() -> list[SamplingRule]:
    return list(
        db.session.scalars(
            select(SamplingRule).options(joinedload(SamplingRule.queue)).order_by(SamplingRule.id)
        )
    )


def get_rule(rule_id: int) -> SamplingRule | None:
    return db.session.get(SamplingRule, rule_id)


def my_queue(user: User) -> list[QueueEntry]:
    """Unreviewed entries of the queues assigned to ``user`` or to nobody in particular."""
    return list(
        db.session.scalars(
            select(QueueEntry)
            .join(QueueEntry.queue)
            .join(QueueEntry.interaction)
            .where(
                (ReviewQueue.reviewer_id == user.id) | ReviewQueue.reviewer_id.is_(None),
                ~_reviewed_clause(),
            )
            .options(
                joinedload(QueueEntry.queue),
                joinedload(QueueEntry.interaction).joinedload(Interaction.agent),
                joinedload(QueueEntry.rule),
            )
            .order_by(QueueEntry.added_at.desc(), QueueEntry.id)
            .limit(200)
        )
    )


@dataclass(frozen=True)
class Coverage:
    agent: str
    team: str
    total: int
    reviewed: int

    @property
    def share(self) -> float:
        return self.reviewed / self.total if self.total else 0.0


def coverage(days: int, now: datetime | None = None) -> list[Coverage]:
    """Reviewed / total ready interactions per agent over the last ``days``."""
    since = (now or utcnow()) - timedelta(days=days)
    reviewed = func.sum(case((_reviewed_clause(), 1), else_=0))
    rows = db.session.execute(
        select(Agent.name, Team.name, func.count(Interaction.id), reviewed)
        .join(Interaction, Interaction.agent_id == Agent.id)
        .outerjoin(Team, Team.id == Agent.team_id)
        .where(Interaction.status == Status.READY, Interaction.started_at >= since)
        .group_by(Agent.id, Agent.name, Team.name)
        .order_by(Agent.name)
    ).all()
    return [
        Coverage(name, team or "—", int(total), int(done or 0)) for name, team, total, done in rows
    ]


def reviewer_choices() -> list[tuple[int, str]]:
    return [
        (u.id, u.name)
        for u in db.session.scalars(
            select(User).where(User.role.in_([Role.REVIEWER, Role.ADMIN])).order_by(User.name)
        )
    ]


def team_choices() -> list[tuple[int, str]]:
    return [(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.name))]
