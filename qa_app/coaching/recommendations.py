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


MOOD = "mood_trajectory"  # the criterion the training library reads a mood trajectory as


def mood_value(trajectory: str, end: str | None) -> float | None:
    """A call's mood trajectory as a 0..1 score: better 1, worse 0; unchanged is 1 unless the
    customer stayed negative throughout (0.5: nothing was turned around)."""
    if trajectory == "better":
        return 1.0
    if trajectory == "worse":
        return 0.0
    if trajectory == "same":
        return 0.5 if end == "negative" else 1.0
    return None


def mood_history(
    agent_ids: Collection[int] | None = None, since: datetime | None = None
) -> list[training.Observation]:
    """One ``mood_trajectory`` observation per analysed interaction of the agents, from the
    stored trajectory (measured, so ``ai``: a reviewer never overrides it)."""
    query = select(
        Interaction.id,
        Interaction.agent_id,
        Interaction.started_at,
        Interaction.mood_trajectory,
        Interaction.mood_end,
    ).where(Interaction.mood_trajectory.is_not(None), Interaction.agent_id.is_not(None))
    if agent_ids is not None:
        query = query.where(Interaction.agent_id.in_(list(agent_ids)))
    if since is not None:
        query = query.where(Interaction.started_at >= since)
    observations = []
    for interaction_id, agent_id, started_at, trajectory, end in db.session.execute(query):
        value = mood_value(trajectory, end)
        if value is None:
            continue
        observations.append(
            training.Observation(
                agent_id=str(agent_id),
                criterion=MOOD,
                score=value,
                source="ai",
                observed_at=started_at,
                evaluation_id=_key(interaction_id),
                interaction_id=str(interaction_id),
            )
        )
    return observations


def score_history(
    agent_ids: Collection[int] | None = None, since: datetime | None = None
) -> list[training.Observation]:
    """Every scored criterion of the agents: submitted reviewer scores (human) and AI
    suggestions (ai), keyed by interaction so a reviewer's score replaces the suggestion;
    and the customer's mood trajectory per call (``mood_history``)."""
    observations: list[training.Observation] = mood_history(agent_ids, since)
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
    history = score_history(agents, since)
    found = training.recommend(history, catalog, library_assignments(assignments), policy)
    return [_suggested(r, agents, modules, history) for r in found]


def _mood_reason(
    recommendation: training.Recommendation, history: list[training.Observation]
) -> str:
    """The library's reason, with its mood part said in words an agent understands."""
    recent = set(recommendation.evaluation_ids)
    moods = [
        o
        for o in history
        if o.criterion == MOOD
        and o.agent_id == recommendation.agent_id
        and o.evaluation_id in recent
    ]
    worse = sum(1 for o in moods if o.score == 0.0)
    stuck = sum(1 for o in moods if o.score == 0.5)
    text = f"customers ended {worse} of the last {len(moods)} calls in a worse mood than they began"
    if stuck:
        text += f" and {stuck} stayed negative throughout"
    parts = [
        text if part.startswith(f"{MOOD} ") else part for part in recommendation.reason.split(". ")
    ]
    return ". ".join(parts)


def _suggested(
    recommendation: training.Recommendation,
    agents: dict[int, Agent],
    modules: dict[str, CoachingModule],
    history: list[training.Observation],
) -> Suggested:
    """Resolve a recommendation to rows. For a weak mood trajectory the example calls are the
    ones that ended worse (or stayed negative), not every recent call."""
    ids = list(recommendation.evaluation_ids)
    reason = recommendation.reason
    if MOOD in recommendation.criteria:
        others = {
            o.evaluation_id
            for o in history
            if o.agent_id == recommendation.agent_id
            and o.criterion in recommendation.criteria
            and o.criterion != MOOD
        }
        fine = {
            o.evaluation_id
            for o in history
            if o.agent_id == recommendation.agent_id and o.criterion == MOOD and o.score == 1.0
        }
        ids = [i for i in ids if i in others or i not in fine]
        reason = _mood_reason(recommendation, history)
    return Suggested(
        agent=agents[int(recommendation.agent_id)],
        module=modules[recommendation.module_id],
        criteria=recommendation.criteria,
        reason=reason,
        gap=recommendation.gap,
        interaction_ids=tuple(int(e[1:]) for e in ids),
    )
