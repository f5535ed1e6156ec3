"""Assignments: assign (by hand, in bulk, automatically), overdue and reminders, quizzes."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

import training
from qa_app.admin.services import record_audit
from qa_app.agents.models import Agent
from qa_app.auth.models import Role, User
from qa_app.coaching.common import (
    OPEN,
    REMIND_DAYS,
    SCORED,
    NotAllowed,
)
from qa_app.coaching.content import (
    library_module,
)
from qa_app.coaching.models import (
    Assignment,
    AssignmentStatus,
    CoachingModule,
    QuizAttempt,
)
from qa_app.coaching.recommendations import current_policy, recommendations
from qa_app.extensions import db
from qa_app.reviews.models import (
    Evaluation,
)
from qa_app.reviews.notifications import notify
from qa_app.timeutil import utcnow


@dataclass(frozen=True)
class NewAssignment:
    agent_id: int
    module_id: int
    due_at: datetime | None
    source: str = "manual"
    reason: str = ""
    interaction_ids: tuple[int, ...] = ()


def _evaluations_of(interaction_ids: Collection[int]) -> list[Evaluation]:
    if not interaction_ids:
        return []
    return list(
        db.session.scalars(
            select(Evaluation).where(
                Evaluation.interaction_id.in_(list(interaction_ids)),
                Evaluation.status.in_(SCORED),
            )
        )
    )


def open_assignment_of(agent_id: int, module_id: int) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.agent_id == agent_id,
            Assignment.module_id == module_id,
            Assignment.status.in_(OPEN),
        )
    )


def assign(requests: Iterable[NewAssignment], actor: User | None) -> list[Assignment]:
    """Create assignments; one the agent already has open for the module is not doubled."""
    created: list[Assignment] = []
    for request in requests:
        if open_assignment_of(request.agent_id, request.module_id) is not None:
            continue
        if db.session.get(Agent, request.agent_id) is None:
            raise NotAllowed(f"agent {request.agent_id} does not exist")
        if db.session.get(CoachingModule, request.module_id) is None:
            raise NotAllowed(f"module {request.module_id} does not exist")
        assignment = Assignment(
            agent_id=request.agent_id,
            module_id=request.module_id,
            assigned_by_id=actor.id if actor else None,
            status=AssignmentStatus.ASSIGNED,
            source=request.source,
            reason=request.reason,
            due_at=request.due_at,
            trigger_interaction_ids=list(request.interaction_ids),
            evaluations=_evaluations_of(request.interaction_ids),
        )
        db.session.add(assignment)
        db.session.flush()
        _notify_agent(
            assignment,
            "coaching.assigned",
            f"New coaching module: {assignment.module.title}"
            + (f" (due {request.due_at:%Y-%m-%d})" if request.due_at else ""),
        )
        record_audit(
            actor,
            "assignment.create",
            assignment,
            after={
                "agent_id": request.agent_id,
                "module_id": request.module_id,
                "source": request.source,
                "due_at": request.due_at.isoformat() if request.due_at else None,
            },
        )
        created.append(assignment)
    return created


def assign_recommended(
    keys: Iterable[str], due_at: datetime | None, actor: User | None, source: str = "recommended"
) -> list[Assignment]:
    """Assign the chosen recommendations (``agent_id:module_id``), with their reasons and the
    interactions behind them."""
    wanted = set(keys)
    return assign(
        (
            NewAssignment(
                agent_id=s.agent.id,
                module_id=s.module.id,
                due_at=due_at,
                source=source,
                reason=s.reason,
                interaction_ids=s.interaction_ids,
            )
            for s in recommendations()
            if s.key in wanted
        ),
        actor,
    )


def run_auto_assign(now: datetime | None = None) -> list[Assignment]:
    """Assign every current recommendation when the policy says so; nothing otherwise."""
    policy = current_policy()
    if not policy.is_auto_assign:
        return []
    now = now or utcnow()
    due = now + timedelta(days=policy.due_days)
    return assign_recommended([s.key for s in recommendations()], due, None, source="auto")


def refresh_overdue(now: datetime | None = None) -> int:
    """Open assignments past their due date become overdue (they can still be completed)."""
    now = now or utcnow()
    late = db.session.scalars(
        select(Assignment).where(
            Assignment.status.in_((AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS)),
            Assignment.due_at.is_not(None),
            Assignment.due_at < now,
        )
    ).all()
    for assignment in late:
        assignment.status = AssignmentStatus.OVERDUE
    if late:
        db.session.flush()
    return len(late)


def _notify_agent(assignment: Assignment, kind: str, message: str) -> None:
    """An in-app message (the shared inbox) to the agent's user, linking to the assignment."""
    agent = assignment.agent or db.session.get(Agent, assignment.agent_id)
    if agent is not None and agent.user is not None:
        notify(agent.user, kind, message, f"/coaching/assignments/{assignment.id}")


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind each agent once, in the inbox, of an open assignment due within REMIND_DAYS."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.status.in_(OPEN),
            Assignment.due_at.is_not(None),
            Assignment.due_at <= now + timedelta(days=REMIND_DAYS),
            Assignment.reminded_at.is_(None),
        )
        .options(joinedload(Assignment.module), joinedload(Assignment.agent))
    ).all()
    for assignment in due:
        late = assignment.due_at is not None and assignment.due_at < now
        _notify_agent(
            assignment,
            "coaching.due",
            f"{assignment.module.title} {'was' if late else 'is'} due "
            f"{assignment.due_at:%Y-%m-%d}: finish the module and its quiz.",
        )
        assignment.reminded_at = now
    if due:
        db.session.flush()
    return len(due)


def _assignment_query() -> Any:
    return select(Assignment).options(
        joinedload(Assignment.module), joinedload(Assignment.agent).joinedload(Agent.team)
    )


def assignments_for(
    user: User, status: str | None = None, team_id: int | None = None
) -> list[Assignment]:
    """Agents see only their own assignments; coaches see everyone's."""
    query = _assignment_query()
    if user.role is Role.AGENT:
        query = query.where(Assignment.agent_id == (user.agent_id or -1))
    if status:
        query = query.where(Assignment.status == AssignmentStatus(status))
    if team_id:
        query = query.where(Assignment.agent.has(Agent.team_id == team_id))
    order = (Assignment.due_at.is_(None), Assignment.due_at, Assignment.created_at.desc())
    return list(db.session.scalars(query.order_by(*order).limit(200)).unique())


def get_assignment(assignment_id: int) -> Assignment | None:
    return db.session.scalar(
        _assignment_query()
        .where(Assignment.id == assignment_id)
        .options(selectinload(Assignment.attempts), selectinload(Assignment.evaluations))
    )


def reminders_for(user: User, now: datetime | None = None) -> list[Assignment]:
    """Open assignments that are overdue or due within ``REMIND_DAYS`` (an agent's own; for
    coaches, the overdue ones of everybody)."""
    now = now or utcnow()
    soon = now + timedelta(days=REMIND_DAYS)
    query = _assignment_query().where(Assignment.status.in_(OPEN))
    if user.role is Role.AGENT:
        query = query.where(
            Assignment.agent_id == (user.agent_id or -1),
            Assignment.due_at.is_not(None),
            Assignment.due_at <= soon,
        )
    else:
        query = query.where(Assignment.status == AssignmentStatus.OVERDUE)
    return list(db.session.scalars(query.order_by(Assignment.due_at)).unique())


def start_assignment(assignment: Assignment, user: User) -> None:
    """The agent opened the module: assigned -> in progress (staff looking changes nothing)."""
    if user.role is not Role.AGENT or assignment.agent_id != user.agent_id:
        return
    if assignment.started_at is None:
        assignment.started_at = utcnow()
    if assignment.status is AssignmentStatus.ASSIGNED:
        assignment.status = AssignmentStatus.IN_PROGRESS
    db.session.flush()


def submit_quiz(
    assignment: Assignment, answers: Mapping[str, int | None], user: User
) -> tuple[QuizAttempt, training.QuizResult]:
    """Grade and record an attempt; passing completes the assignment.

    :raise NotAllowed: the assignment is already completed.
    :raise ValueError: answers to questions the quiz does not have (a stale form).
    """
    if assignment.status is AssignmentStatus.COMPLETED:
        raise NotAllowed("This assignment is already completed.")
    module = library_module(assignment.module)
    result = training.grade_quiz(module, answers)
    now = utcnow()
    attempt = QuizAttempt(
        answers={k: v for k, v in answers.items()},
        score=result.score,
        passed=result.passed,
        created_at=now,
    )
    assignment.attempts.append(attempt)
    if assignment.started_at is None:
        assignment.started_at = now
    if result.passed:
        assignment.status = AssignmentStatus.COMPLETED
        assignment.completed_at = now
        record_audit(user, "assignment.complete", assignment, after={"score": result.score})
    elif assignment.status is AssignmentStatus.ASSIGNED:
        assignment.status = AssignmentStatus.IN_PROGRESS
    db.session.flush()
    return attempt, result
