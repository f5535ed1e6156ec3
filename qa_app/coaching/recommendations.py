"""Score history from evaluations and AI suggestions, the auto-assign policy, and the
training library's recommendations for agents and teams."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

import training
from qa_app.admin.services import record_audit
from qa_app.agents.models import Agent, Team
from qa_app.auth.models import User
from qa_app.calls.models import Interaction
from qa_app.coaching.catalog import active_modules
from qa_app.coaching.common import (
    RECENT_DAYS,
    SCORED,
)
from qa_app.coaching.content import (
    library_module,
)
from qa_app.coaching.models import (
    Assignment,
    CoachingModule,
    CoachingPolicy,
)
from qa_app.extensions import db
from qa_app.reviews.models import (
    Criterion,
    Evaluation,
    EvaluationItem,
    ScoreSuggestion,
)
from qa_app.timeutil import utcnow


def _key(interaction_id: int) -> str:
    return f"i{interaction_id}"


def _counts(evidence: list[dict[str, Any]]) -> tuple[int | None, int | None]:
    """Opportunities and missed ones from an AI suggestion's evidence, when it lists them."""
    reasons = [str(e.get("reason", "")) for e in evidence or []]
    chances = [r for r in reasons if r.startswith("opportunity:")]
    if not chances:
        return None, None
    return len(chances), sum(1 for r in chances if r.rstrip().endswith("missed"))


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


def score_history(
    agent_ids: Collection[int] | None = None, since: datetime | None = None
) -> list[training.Observation]:
    """Every scored criterion of the agents: submitted reviewer scores (human) and AI
    suggestions (ai), keyed by interaction so a reviewer's score replaces the suggestion."""
    observations: list[training.Observation] = []
    ai = (
        select(ScoreSuggestion, Criterion.key, Interaction.agent_id, Interaction.started_at)
        .join(Criterion, ScoreSuggestion.criterion_id == Criterion.id)
        .join(Interaction, ScoreSuggestion.interaction_id == Interaction.id)
        .where(ScoreSuggestion.score.is_not(None), Interaction.agent_id.is_not(None))
    )
    human = (
        select(
            EvaluationItem,
            Criterion.key,
            Interaction.agent_id,
            Interaction.started_at,
            Evaluation.interaction_id,
        )
        .join(Evaluation, EvaluationItem.evaluation_id == Evaluation.id)
        .join(Criterion, EvaluationItem.criterion_id == Criterion.id)
        .join(Interaction, Evaluation.interaction_id == Interaction.id)
        .where(
            EvaluationItem.score.is_not(None),
            EvaluationItem.is_na.is_(False),
            Evaluation.status.in_(SCORED),
            Evaluation.calibration_id.is_(None),
            Interaction.agent_id.is_not(None),
        )
    )
    if agent_ids is not None:
        ai = ai.where(Interaction.agent_id.in_(list(agent_ids)))
        human = human.where(Interaction.agent_id.in_(list(agent_ids)))
    if since is not None:
        ai = ai.where(Interaction.started_at >= since)
        human = human.where(Interaction.started_at >= since)
    for suggestion, key, agent_id, started_at in db.session.execute(ai):
        opportunities, missed = _counts(suggestion.evidence)
        observations.append(
            training.Observation(
                agent_id=str(agent_id),
                criterion=key,
                score=_clamp(suggestion.score),
                source="ai",
                observed_at=started_at,
                evaluation_id=_key(suggestion.interaction_id),
                interaction_id=str(suggestion.interaction_id),
                opportunities=opportunities,
                missed=missed,
            )
        )
    for item, key, agent_id, started_at, interaction_id in db.session.execute(human):
        observations.append(
            training.Observation(
                agent_id=str(agent_id),
                criterion=key,
                score=_clamp(item.score),
                source="human",
                observed_at=started_at,
                evaluation_id=_key(interaction_id),
                interaction_id=str(interaction_id),
            )
        )
    return observations


def current_policy() -> CoachingPolicy:
    """The stored policy, or an unsaved one with the defaults."""
    policy = db.session.scalar(select(CoachingPolicy).order_by(CoachingPolicy.id.desc()))
    return policy or CoachingPolicy(
        is_auto_assign=False, threshold=0.6, last_n=6, min_evaluations=3, ai_weight=0.5, due_days=14
    )


def library_policy(policy: CoachingPolicy, now: datetime | None = None) -> training.Policy:
    return training.Policy(
        last_n=policy.last_n,
        min_evaluations=policy.min_evaluations,
        threshold=policy.threshold,
        ai_weight=policy.ai_weight,
        now=now,
    )


@dataclass(frozen=True)
class PolicyData:
    is_auto_assign: bool
    threshold: float
    last_n: int
    min_evaluations: int
    ai_weight: float
    due_days: int


def save_policy(data: PolicyData, actor: User) -> CoachingPolicy:
    """:raise ValueError: when the library rejects the combination (its message says why)."""
    training.Policy(
        last_n=data.last_n,
        min_evaluations=data.min_evaluations,
        threshold=data.threshold,
        ai_weight=data.ai_weight,
    )
    policy = db.session.scalar(select(CoachingPolicy).order_by(CoachingPolicy.id.desc()))
    if policy is None:
        policy = CoachingPolicy()
        db.session.add(policy)
    for name, value in data.__dict__.items():
        setattr(policy, name, value)
    policy.updated_by_id = actor.id
    db.session.flush()
    record_audit(actor, "coaching.policy", policy, after=dict(data.__dict__))
    return policy


@dataclass(frozen=True)
class Suggested:
    """One recommendation, resolved to rows."""

    agent: Agent
    module: CoachingModule
    criteria: tuple[str, ...]
    reason: str
    gap: float
    interaction_ids: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"{self.agent.id}:{self.module.id}"


def library_assignments(assignments: Iterable[Assignment]) -> list[training.Assignment]:
    return [
        training.Assignment(
            agent_id=str(a.agent_id),
            module_id=a.module.slug,
            assigned_at=a.created_at,
            completed_at=a.completed_at,
        )
        for a in assignments
    ]


def agents_in(team_id: int | None = None) -> list[Agent]:
    query = select(Agent).where(Agent.is_active.is_(True)).options(joinedload(Agent.team))
    if team_id:
        query = query.where(Agent.team_id == team_id)
    return list(db.session.scalars(query.order_by(Agent.name)))


def list_teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def recommendations(team_id: int | None = None, agent_id: int | None = None) -> list[Suggested]:
    """The library's recommendations for active agents (of a team, or one agent), with its
    reasons; modules already open or recently completed are left out by the library."""
    agents = {a.id: a for a in agents_in(team_id) if agent_id is None or a.id == agent_id}
    if not agents:
        return []
    modules = {m.slug: m for m in active_modules()}
    if not modules:
        return []
    catalog = training.Catalog(tuple(library_module(m) for m in modules.values()))
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.agent_id.in_(list(agents)))
        .options(joinedload(Assignment.module))
    )
    policy = library_policy(current_policy(), now=utcnow())
    since = utcnow() - timedelta(days=RECENT_DAYS)
    found = training.recommend(
        score_history(agents, since), catalog, library_assignments(assignments), policy
    )
    return [
        Suggested(
            agent=agents[int(r.agent_id)],
            module=modules[r.module_id],
            criteria=r.criteria,
            reason=r.reason,
            gap=r.gap,
            interaction_ids=tuple(int(e[1:]) for e in r.evaluation_ids),
        )
        for r in found
    ]
