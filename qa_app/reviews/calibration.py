"""Calibration: several reviewers score one interaction blind, then the lead reveals.

On reveal, per criterion: every rater's score, the spread, each reviewer's deviation from the
lead, and the AI as one more rater; over the whole session Krippendorff's alpha (interval
metric), with and without the AI, so the team sees both its own consistency and the AI's fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from qa_app.admin.services import record_audit
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.reviews.models import (
    CalibrationSession,
    Evaluation,
    EvaluationItem,
    EvaluationStatus,
    Rubric,
)
from qa_app.reviews.notifications import notify
from qa_app.reviews.services import (
    Conflict,
    ReviewError,
    ScorecardInput,
    apply_items,
    mark_submitted,
    new_items,
    recompute_total,
    touch,
)
from qa_app.timeutil import utcnow

AI = "AI"


@dataclass(frozen=True)
class NewCalibration:
    interaction_id: int
    title: str
    participant_ids: tuple[int, ...]


def krippendorff_alpha_interval(units: list[list[float]]) -> float | None:
    """Krippendorff's alpha with the interval metric; units with fewer than two values drop."""
    pairable = [u for u in units if len(u) >= 2]
    n = sum(len(u) for u in pairable)
    if n < 2:
        return None
    observed = (
        sum(sum((a - b) ** 2 for a, b in permutations(u, 2)) / (len(u) - 1) for u in pairable) / n
    )
    values = [v for u in pairable for v in u]
    expected = sum((a - b) ** 2 for a, b in permutations(values, 2)) / (n * (n - 1))
    if expected == 0:
        return 1.0 if observed == 0 else None
    return 1 - observed / expected


def reviewer_choices() -> list[tuple[int, str]]:
    return [
        (u.id, u.name)
        for u in db.session.scalars(
            select(User).where(User.role.in_([Role.REVIEWER, Role.ADMIN])).order_by(User.name)
        )
    ]


def create_session(data: NewCalibration, lead: User) -> CalibrationSession:
    interaction = db.session.get(Interaction, data.interaction_id)
    if interaction is None or not interaction.suggestions:
        raise ReviewError("Choose an interaction that has been scored (its number).")
    title = data.title.strip() or f"Calibration on call #{interaction.id}"
    people = list(db.session.scalars(select(User).where(User.id.in_(data.participant_ids))))
    if lead.id not in {p.id for p in people}:
        people.append(lead)
    if len(people) < 2:
        raise ReviewError("Invite at least one other reviewer.")
    session = CalibrationSession(interaction_id=interaction.id, lead_id=lead.id, title=title)
    session.participants = people
    db.session.add(session)
    db.session.flush()
    record_audit(
        lead, "calibration.create", session, after={"participants": [p.id for p in people]}
    )
    for person in people:
        if person.id != lead.id:
            notify(
                person,
                "calibration.invite",
                f"{lead.name} invited you to calibrate on call #{interaction.id}.",
                f"/reviews/calibration/{session.id}",
            )
    db.session.flush()
    return session


def sessions_for(user: User) -> list[CalibrationSession]:
    query = (
        select(CalibrationSession)
        .options(selectinload(CalibrationSession.participants))
        .order_by(CalibrationSession.id.desc())
    )
    sessions = list(db.session.scalars(query.limit(100)))
    if user.role is Role.ADMIN:
        return sessions
    return [s for s in sessions if can_take_part(user, s)]


def load_session(session_id: int) -> CalibrationSession | None:
    return db.session.scalar(
        select(CalibrationSession)
        .where(CalibrationSession.id == session_id)
        .options(selectinload(CalibrationSession.participants))
    )


def can_take_part(user: User, session: CalibrationSession) -> bool:
    return user.id == session.lead_id or any(p.id == user.id for p in session.participants)


def evaluations_of_session(session: CalibrationSession) -> list[Evaluation]:
    return list(
        db.session.scalars(
            select(Evaluation)
            .where(Evaluation.calibration_id == session.id)
            .options(
                selectinload(Evaluation.items).joinedload(EvaluationItem.criterion),
                joinedload(Evaluation.reviewer),
            )
        )
    )


def own_evaluation(session: CalibrationSession, user: User) -> Evaluation | None:
    return next((e for e in evaluations_of_session(session) if e.reviewer_id == user.id), None)


def session_rubric(session: CalibrationSession) -> Rubric | None:
    interaction = db.session.get(Interaction, session.interaction_id)
    rubric_id = interaction.scored_rubric_id if interaction else None
    return db.session.get(Rubric, rubric_id) if rubric_id else None


def save_blind_scorecard(
    session: CalibrationSession, user: User, data: ScorecardInput, *, submit: bool
) -> Evaluation:
    """Each participant's own scorecard of the session; nobody sees another's before reveal."""
    if session.revealed_at is not None:
        raise ReviewError("This session was revealed; scores are final.")
    rubric = session_rubric(session)
    if rubric is None:
        raise ReviewError("The interaction has no rubric scores to calibrate on.")
    evaluation = own_evaluation(session, user)
    if evaluation is None:
        if data.version is not None:
            raise Conflict("Your scorecard changed elsewhere. Reload.")
        interaction = db.session.get(Interaction, session.interaction_id)
        items = new_items(interaction, rubric)
        evaluation = Evaluation(
            interaction=interaction,
            rubric=rubric,
            reviewer=user,
            calibration_id=session.id,
            items=items,
        )
        db.session.add(evaluation)
        db.session.flush()
    elif data.version != evaluation.version:
        raise Conflict("Your scorecard was saved from another tab after this one opened. Reload.")
    if evaluation.status is not EvaluationStatus.DRAFT:
        raise ReviewError("You already submitted your scores for this session.")
    apply_items(evaluation, user, data.items)
    evaluation.comment = data.comment.strip()
    recompute_total(evaluation)
    if submit:
        mark_submitted(evaluation)
    touch(evaluation)
    db.session.flush()
    return evaluation


def reveal(session: CalibrationSession, actor: User) -> None:
    if actor.id != session.lead_id and actor.role is not Role.ADMIN:
        raise ReviewError("Only the session lead reveals the scores.")
    if session.revealed_at is not None:
        return
    session.revealed_at = utcnow()
    record_audit(actor, "calibration.reveal", session)
    db.session.flush()


def results(session: CalibrationSession) -> dict[str, Any]:
    """Per criterion the raters' scores (0-100), spread, deviation from the lead, and alpha."""
    submitted = [
        e for e in evaluations_of_session(session) if e.status is not EvaluationStatus.DRAFT
    ]
    rubric = session_rubric(session)
    interaction = db.session.get(Interaction, session.interaction_id)
    ai = {s.criterion_id: s.score for s in interaction.suggestions} if interaction else {}
    raters = [e.reviewer.name for e in submitted]
    lead_name = next((e.reviewer.name for e in submitted if e.reviewer_id == session.lead_id), None)
    rows, units_h, units_all = [], [], []
    for criterion in rubric.criteria if rubric else []:
        scores: dict[str, float | None] = {}
        for e in submitted:
            item = next((i for i in e.items if i.criterion_id == criterion.id), None)
            value = None if item is None or item.is_na or item.score is None else item.score
            scores[e.reviewer.name] = None if value is None else 100 * value
        ai_score = None if ai.get(criterion.id) is None else 100 * ai[criterion.id]
        human = [v for v in scores.values() if v is not None]
        lead = scores.get(lead_name) if lead_name else None
        rows.append(
            {
                "criterion": criterion,
                "scores": scores,
                "ai": ai_score,
                "spread": (max(human) - min(human)) if len(human) >= 2 else None,
                "deviation": {
                    name: (v - lead if v is not None and lead is not None else None)
                    for name, v in scores.items()
                },
                "ai_deviation": (
                    ai_score - lead if ai_score is not None and lead is not None else None
                ),
            }
        )
        units_h.append(human)
        units_all.append(human + ([ai_score] if ai_score is not None else []))
    return {
        "raters": raters,
        "lead": lead_name,
        "rows": rows,
        "alpha": krippendorff_alpha_interval(units_h),
        "alpha_with_ai": krippendorff_alpha_interval(units_all),
        "submitted": len(submitted),
    }


def status_of(session: CalibrationSession) -> list[tuple[str, bool]]:
    """Who has submitted, without their scores (safe to show before the reveal)."""
    done = {
        e.reviewer_id
        for e in evaluations_of_session(session)
        if e.status is not EvaluationStatus.DRAFT
    }
    return [(p.name, p.id in done) for p in session.participants]
