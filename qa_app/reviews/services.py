"""The review loop: scorecards and their lifecycle (disputes and notifications have their own
modules).

Services flush, the request commits. Every change of a score is written to the audit log with
the value before and after; the AI suggestion stays in ``EvaluationItem.ai_score``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from qa_app.admin.services import record_audit
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction, Transcript
from qa_app.extensions import db
from qa_app.reviews.models import (
    Criterion,
    Evaluation,
    EvaluationItem,
    EvaluationStatus,
    Rubric,
    ScoreSuggestion,
)
from qa_app.reviews.notifications import notify_agent
from qa_app.reviews.suggestions import rubric_spec
from qa_app.timeutil import utcnow

DEFAULT_MAX_DISPUTES = 2
OPEN_FOR_DISPUTE = (
    EvaluationStatus.SUBMITTED,
    EvaluationStatus.ACKNOWLEDGED,
    EvaluationStatus.DISPUTED,
)


class ReviewError(ValueError):
    """A domain rule refused the action; the message is meant for the user."""


class Conflict(ReviewError):
    """Someone saved the evaluation after this form was loaded."""


class IncompleteScorecard(ReviewError):
    def __init__(self, missing: list[Criterion]) -> None:
        self.missing = missing
        names = ", ".join(c.label for c in missing)
        super().__init__(f"Score every criterion (or mark it N/A) before submitting: {names}.")


@dataclass(frozen=True)
class ItemInput:
    criterion_id: int
    score: float | None  # 0..1; None = not scored yet
    is_na: bool = False
    comment: str = ""
    moment_s: float | None = None


@dataclass(frozen=True)
class ScorecardInput:
    version: int | None  # the version the form was loaded at; None = no evaluation existed
    items: tuple[ItemInput, ...]
    comment: str = ""
    private_note: str = ""
    comment_moment_s: float | None = None  # the overall comment pinned to a moment of the call


# --- reading -------------------------------------------------------------------------------


def active_rubric() -> Rubric | None:
    return db.session.scalar(
        select(Rubric).where(Rubric.is_active.is_(True)).order_by(Rubric.id.desc())
    )


def evaluations_of(reviewer: User, status: EvaluationStatus | None = None) -> list[Evaluation]:
    query = (
        select(Evaluation)
        .where(Evaluation.reviewer_id == reviewer.id)
        .options(joinedload(Evaluation.interaction).joinedload(Interaction.agent))
        .order_by(Evaluation.updated_at.desc())
    )
    if status is not None:
        query = query.where(Evaluation.status == status)
    return list(db.session.scalars(query.limit(50)))


def evaluations_for_agent(user: User) -> list[Evaluation]:
    """An agent's own evaluations; drafts stay with the reviewer until submitted."""
    if user.agent_id is None:
        return []
    return list(
        db.session.scalars(
            select(Evaluation)
            .join(Evaluation.interaction)
            .where(
                Interaction.agent_id == user.agent_id,
                Evaluation.status != EvaluationStatus.DRAFT,
                Evaluation.calibration_id.is_(None),
            )
            .options(joinedload(Evaluation.interaction))
            .order_by(Evaluation.submitted_at.desc())
        )
    )


def load_interaction(interaction_id: int) -> Interaction | None:
    return db.session.scalar(
        select(Interaction)
        .where(Interaction.id == interaction_id)
        .options(
            joinedload(Interaction.agent),
            joinedload(Interaction.recording),
            joinedload(Interaction.transcript).selectinload(Transcript.segments),
            selectinload(Interaction.suggestions),
        )
    )


def load_evaluation(evaluation_id: int) -> Evaluation | None:
    return db.session.scalar(
        select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .options(
            selectinload(Evaluation.items).joinedload(EvaluationItem.criterion),
            selectinload(Evaluation.disputes),
            joinedload(Evaluation.reviewer),
        )
    )


def current_evaluation(interaction: Interaction) -> Evaluation | None:
    """The one (non-calibration) evaluation of an interaction that reviewers share."""
    return db.session.scalar(
        select(Evaluation)
        .where(Evaluation.interaction_id == interaction.id, Evaluation.calibration_id.is_(None))
        .options(selectinload(Evaluation.items), joinedload(Evaluation.reviewer))
        .order_by(Evaluation.id.desc())
        .limit(1)
    )


def rubric_for(interaction: Interaction, evaluation: Evaluation | None) -> Rubric | None:
    if evaluation is not None:
        return evaluation.rubric
    if interaction.scored_rubric_id is not None:
        return db.session.get(Rubric, interaction.scored_rubric_id)
    return active_rubric()


def scorecard_rows(
    interaction: Interaction, rubric: Rubric, evaluation: Evaluation | None
) -> list[dict[str, Any]]:
    """Per criterion: the criterion, the AI suggestion and the human item (if any)."""
    suggestions = {s.criterion_id: s for s in interaction.suggestions}
    items = {i.criterion_id: i for i in evaluation.items} if evaluation else {}
    segments = (
        {s.position: s for s in interaction.transcript.segments} if interaction.transcript else {}
    )
    return [
        {
            "criterion": c,
            "suggestion": suggestions.get(c.id),
            "evidence": _redacted_evidence(suggestions.get(c.id), segments),
            "item": items.get(c.id),
        }
        for c in rubric.criteria
    ]


def _redacted_evidence(suggestion: ScoreSuggestion | None, segments: dict[int, Any]) -> list:
    """Evidence quotes come from the raw text; show the segment's redacted text instead."""
    if suggestion is None:
        return []
    shown, seen = [], set()
    for e in suggestion.evidence:
        if (e.get("segment"), e.get("start")) in seen:
            continue  # a criterion may cite one line for two reasons: show it once
        seen.add((e.get("segment"), e.get("start")))
        segment = segments.get(e.get("segment"))
        quote = e.get("quote", "")
        if segment is None:
            quote = ""  # cannot tell whether it holds personal data: do not show it
        elif segment.text != segment.redacted_text:
            quote = segment.redacted_text
        shown.append({**e, "quote": quote})
    return shown


# --- writing -------------------------------------------------------------------------------


def touch(evaluation: Evaluation) -> None:
    """Mark the row dirty so its version column moves even when only items changed."""
    evaluation.updated_at = utcnow()


def item_state(item: EvaluationItem) -> dict[str, Any]:
    return {"criterion": item.criterion.key, "score": item.score, "na": item.is_na}


def mark_submitted(evaluation: Evaluation) -> None:
    """Submit a scorecard (review or calibration) once every criterion is scored or N/A.

    :raise IncompleteScorecard: the criteria still neither scored nor N/A.
    """
    missing = [i.criterion for i in evaluation.items if i.score is None and not i.is_na]
    if missing:
        raise IncompleteScorecard(missing)
    evaluation.status = EvaluationStatus.SUBMITTED
    evaluation.submitted_at = utcnow()


def recompute_total(evaluation: Evaluation) -> None:
    spec = rubric_spec(evaluation.rubric)
    weighted = weights = 0.0
    auto_fail = False
    for item in evaluation.items:
        if item.is_na or item.score is None:
            continue
        weighted += item.criterion.weight * item.score
        weights += item.criterion.weight
        if item.criterion.is_critical:
            try:
                below = spec.criterion(item.criterion.key).critical_below
            except KeyError:
                below = 0.5
            auto_fail = auto_fail or item.score < below
    total = 100 * weighted / weights if weights else None
    if auto_fail and spec.zero_on_auto_fail:
        total = 0.0
    evaluation.total = total
    evaluation.auto_fail = auto_fail


def new_items(interaction: Interaction, rubric: Rubric) -> list[EvaluationItem]:
    """One item per criterion, prefilled with the AI's score (also kept as ``ai_score``)."""
    suggestions: dict[int, ScoreSuggestion] = {s.criterion_id: s for s in interaction.suggestions}
    items = []
    for criterion in rubric.criteria:
        suggestion = suggestions.get(criterion.id)
        ai = suggestion.score if suggestion else None
        items.append(
            EvaluationItem(
                criterion=criterion,
                ai_score=ai,
                score=ai,
                is_na=suggestion is not None and ai is None and criterion.na_allowed,
            )
        )
    return items


def _new_evaluation(interaction: Interaction, rubric: Rubric, reviewer: User) -> Evaluation:
    """Start a draft prefilled with the AI's scores; the AI value is kept beside the human's."""
    items = new_items(interaction, rubric)
    evaluation = Evaluation(interaction=interaction, rubric=rubric, reviewer=reviewer, items=items)
    db.session.add(evaluation)
    db.session.flush()
    record_audit(reviewer, "evaluation.start", evaluation, after={"interaction": interaction.id})
    return evaluation


def apply_items(evaluation: Evaluation, actor: User, items: tuple[ItemInput, ...]) -> None:
    by_criterion = {i.criterion_id: i for i in evaluation.items}
    for data in items:
        item = by_criterion.get(data.criterion_id)
        if item is None:
            continue  # a criterion of another rubric: ignore rather than guess
        if data.is_na and not item.criterion.na_allowed:
            raise ReviewError(f"{item.criterion.label} cannot be marked N/A.")
        if data.score is not None and not 0.0 <= data.score <= 1.0:
            raise ReviewError(f"{item.criterion.label}: the score must be between 0 and 100.")
        before = item_state(item)
        item.is_na = data.is_na
        item.score = None if data.is_na else data.score
        item.comment = data.comment.strip()
        item.moment_s = data.moment_s
        after = item_state(item)
        if before != after:
            record_audit(actor, "evaluation.score", evaluation, before=before, after=after)


def save_scorecard(
    interaction: Interaction,
    rubric: Rubric,
    actor: User,
    data: ScorecardInput,
    *,
    submit: bool = False,
) -> Evaluation:
    """Save the draft (autosave and the explicit button both land here), optionally submit.

    :raise Conflict: the evaluation changed since ``data.version`` was loaded.
    :raise IncompleteScorecard: submitting with criteria neither scored nor N/A.
    """
    evaluation = current_evaluation(interaction)
    if evaluation is None:
        if data.version is not None:
            raise Conflict("This evaluation no longer exists. Reload the page.")
        evaluation = _new_evaluation(interaction, rubric, actor)
    elif data.version != evaluation.version:
        who = evaluation.reviewer.name if evaluation.reviewer else "another reviewer"
        raise Conflict(
            f"Someone saved this evaluation after you opened it (last change by {who} at "
            f"{evaluation.updated_at:%H:%M} UTC). Your input is still in the form: copy what you "
            "need, then reload to see their version."
        )
    if evaluation.status is not EvaluationStatus.DRAFT:
        raise ReviewError("This evaluation was already submitted and can no longer be edited.")
    apply_items(evaluation, actor, data.items)
    evaluation.comment = data.comment.strip()
    evaluation.comment_moment_s = data.comment_moment_s
    evaluation.private_note = data.private_note.strip()
    recompute_total(evaluation)
    if submit:
        mark_submitted(evaluation)
        record_audit(
            actor,
            "evaluation.submit",
            evaluation,
            after={"total": evaluation.total, "auto_fail": evaluation.auto_fail},
        )
        points = f"{evaluation.total:.0f} points" if evaluation.total is not None else "no total"
        notify_agent(
            interaction,
            "evaluation.new",
            f"New evaluation of your call #{interaction.id}: {points}.",
            evaluation,
        )
    touch(evaluation)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict("Someone saved this evaluation at the same moment. Reload.") from exc
    return evaluation


def record_unredacted_view(actor: User, interaction: Interaction) -> None:
    """Reading the raw transcript is allowed to few and always leaves a trace."""
    record_audit(actor, "transcript.view_unredacted", interaction)
    db.session.flush()


def is_staff(user: User) -> bool:
    return user.role is not Role.AGENT
