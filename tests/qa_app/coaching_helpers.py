"""Score histories for coaching tests: AI suggestions and submitted evaluations on real rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import scoring
from qa_app.agents.models import Agent
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction
from qa_app.coaching.services import import_shipped_catalog
from qa_app.extensions import db
from qa_app.reviews.models import (
    Evaluation,
    EvaluationItem,
    EvaluationStatus,
    Rubric,
    ScoreSuggestion,
)
from qa_app.reviews.suggestions import store_rubric
from qa_app.timeutil import utcnow
from tests.factories import make_interaction, make_user


def rubric() -> Rubric:
    return store_rubric(scoring.default_rubric(), activate=True)


def catalog() -> None:
    import_shipped_catalog()


def scored_call(
    agent: Agent, scores: dict[str, float], *, rubric_: Rubric, at: datetime
) -> Interaction:
    """An interaction of ``agent`` at ``at`` with AI suggestions ``scores`` (criterion -> 0..1)."""
    interaction = make_interaction(agent, started_at=at)
    criteria = {c.key: c for c in rubric_.criteria}
    for key, value in scores.items():
        db.session.add(
            ScoreSuggestion(
                interaction_id=interaction.id,
                criterion_id=criteria[key].id,
                score=value,
                confidence=0.8,
                evidence=[],
            )
        )
    db.session.flush()
    return interaction


def evaluate(
    interaction: Interaction, scores: dict[str, float], *, rubric_: Rubric, reviewer: User | None
) -> Evaluation:
    """A submitted evaluation (human scores) of ``interaction``."""
    reviewer = reviewer or make_user(Role.REVIEWER)
    criteria = {c.key: c for c in rubric_.criteria}
    evaluation = Evaluation(
        interaction_id=interaction.id,
        reviewer_id=reviewer.id,
        rubric_id=rubric_.id,
        status=EvaluationStatus.SUBMITTED,
        submitted_at=utcnow(),
    )
    for key, value in scores.items():
        evaluation.items.append(EvaluationItem(criterion_id=criteria[key].id, score=value))
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


def weak_history(
    agent: Agent,
    rubric_: Rubric,
    *,
    n: int = 4,
    empathy: float = 0.1,
    start: datetime | None = None,
) -> list[Interaction]:
    """``n`` daily calls with weak empathy and fine everything else, ending yesterday."""
    start = start or utcnow() - timedelta(days=n + 1)
    fine = {"greeting": 0.9, "closing": 0.9, "disclosure": 1.0, "resolution": 0.9}
    return [
        scored_call(
            agent, {"empathy": empathy, **fine}, rubric_=rubric_, at=start + timedelta(days=i)
        )
        for i in range(n)
    ]
