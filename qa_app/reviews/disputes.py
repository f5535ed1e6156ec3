"""Agents acknowledge or dispute an evaluation; reviewers decide disputes (logged)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qa_app.admin.services import record_audit
from qa_app.auth.models import User
from qa_app.extensions import db
from qa_app.reviews.models import (
    Dispute,
    DisputeStatus,
    Evaluation,
    EvaluationItem,
    EvaluationStatus,
)
from qa_app.reviews.notifications import notify, notify_agent
from qa_app.reviews.services import (
    DEFAULT_MAX_DISPUTES,
    OPEN_FOR_DISPUTE,
    ReviewError,
    item_state,
    recompute_total,
    touch,
)
from qa_app.timeutil import utcnow


@dataclass(frozen=True)
class DisputeInput:
    item_id: int
    reason: str


@dataclass(frozen=True)
class Resolution:
    accept: bool
    note: str
    new_score: float | None = None  # 0..1, required when accepting


def open_disputes() -> list[Dispute]:
    return list(
        db.session.scalars(
            select(Dispute)
            .where(Dispute.status == DisputeStatus.OPEN)
            .options(
                joinedload(Dispute.evaluation).joinedload(Evaluation.interaction),
                joinedload(Dispute.item).joinedload(EvaluationItem.criterion),
            )
            .order_by(Dispute.created_at)
        )
    )


def load_open_dispute(dispute_id: int) -> Dispute | None:
    return db.session.scalar(
        select(Dispute).where(Dispute.id == dispute_id, Dispute.status == DisputeStatus.OPEN)
    )


def dispute_deadline(evaluation: Evaluation, window_days: int) -> datetime | None:
    if evaluation.submitted_at is None:
        return None
    return evaluation.submitted_at + timedelta(days=window_days)


def acknowledge(evaluation: Evaluation, agent_user: User) -> None:
    if evaluation.status is not EvaluationStatus.SUBMITTED:
        raise ReviewError("Only a newly submitted evaluation can be acknowledged.")
    evaluation.status = EvaluationStatus.ACKNOWLEDGED
    evaluation.acknowledged_at = utcnow()
    touch(evaluation)
    record_audit(agent_user, "evaluation.acknowledge", evaluation)
    notify(
        evaluation.reviewer,
        "evaluation.acknowledged",
        f"{agent_user.name} acknowledged your evaluation of call #{evaluation.interaction_id}.",
        f"/reviews/evaluations/{evaluation.id}",
    )
    db.session.flush()


def raise_dispute(
    evaluation: Evaluation,
    agent_user: User,
    data: DisputeInput,
    *,
    window_days: int,
    max_disputes: int = DEFAULT_MAX_DISPUTES,
    now: datetime | None = None,
) -> Dispute:
    """An agent contests one criterion, within the window and the per-evaluation limit."""
    now = now or utcnow()
    if evaluation.status not in OPEN_FOR_DISPUTE:
        raise ReviewError("This evaluation cannot be disputed any more.")
    deadline = dispute_deadline(evaluation, window_days)
    if deadline is None or now > deadline:
        raise ReviewError(
            f"The dispute window of {window_days} days for this evaluation has closed."
        )
    if len(evaluation.disputes) >= max_disputes:
        raise ReviewError(f"At most {max_disputes} disputes are allowed per evaluation.")
    item = next((i for i in evaluation.items if i.id == data.item_id), None)
    if item is None:
        raise ReviewError("Choose a criterion of this evaluation.")
    if any(d.item_id == item.id for d in evaluation.disputes):
        raise ReviewError(f"{item.criterion.label} was already disputed.")
    reason = data.reason.strip()
    if len(reason) < 10:
        raise ReviewError("Explain the dispute in a sentence or two (10 characters at least).")
    dispute = Dispute(evaluation=evaluation, item=item, raised_by_id=agent_user.id, reason=reason)
    db.session.add(dispute)
    evaluation.status = EvaluationStatus.DISPUTED
    touch(evaluation)
    db.session.flush()
    record_audit(
        agent_user,
        "dispute.raise",
        dispute,
        after={"evaluation": evaluation.id, "criterion": item.criterion.key, "reason": reason},
    )
    notify(
        evaluation.reviewer,
        "dispute.raised",
        f"{agent_user.name} disputed {item.criterion.label} on call #{evaluation.interaction_id}.",
        f"/reviews/evaluations/{evaluation.id}",
    )
    db.session.flush()
    return dispute


def resolve_dispute(dispute: Dispute, actor: User, data: Resolution) -> None:
    """Accept (rescore, logged) or decline with a reason; the last decision resolves."""
    if dispute.status is not DisputeStatus.OPEN:
        raise ReviewError("This dispute was already decided.")
    evaluation = dispute.evaluation
    note = data.note.strip()
    if data.accept:
        if data.new_score is None or not 0.0 <= data.new_score <= 1.0:
            raise ReviewError("Give the new score (0 to 100) when accepting.")
        item = dispute.item
        if item is not None:
            before = item_state(item)
            item.score, item.is_na = data.new_score, False
            record_audit(
                actor, "evaluation.score", evaluation, before=before, after=item_state(item)
            )
            recompute_total(evaluation)
        dispute.status = DisputeStatus.ACCEPTED
    else:
        if len(note) < 5:
            raise ReviewError("Say why the dispute is declined.")
        dispute.status = DisputeStatus.DECLINED
    dispute.resolution_note = note
    dispute.resolved_by_id = actor.id
    dispute.resolved_at = utcnow()
    record_audit(
        actor, "dispute.resolve", dispute, after={"status": dispute.status.value, "note": note}
    )
    if all(d.status is not DisputeStatus.OPEN for d in evaluation.disputes):
        evaluation.status = EvaluationStatus.RESOLVED
    touch(evaluation)
    label = dispute.item.criterion.label if dispute.item else "your evaluation"
    outcome = "accepted" if data.accept else "declined"
    notify_agent(
        evaluation.interaction,
        "dispute.decided",
        f"Your dispute of {label} on call #{evaluation.interaction_id} was {outcome}.",
        evaluation,
    )
    db.session.flush()
