"""Coaching: the module catalog, recommendations from score history, assignments and quizzes,
1:1 sessions and the effectiveness report. Services flush; the request boundary commits."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

import training
from qa_app.admin.services import record_audit
from qa_app.agents.models import Agent, Team
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction
from qa_app.coaching.content import (
    library_module,
    module_file_text,
    quiz_to_json,
)
from qa_app.coaching.models import (
    Assignment,
    AssignmentStatus,
    CoachingModule,
    CoachingMoment,
    CoachingPolicy,
    CoachingSession,
    QuizAttempt,
)
from qa_app.extensions import db
from qa_app.reviews.models import (
    Criterion,
    Evaluation,
    EvaluationItem,
    EvaluationStatus,
    ScoreSuggestion,
)
from qa_app.reviews.services import notify
from qa_app.timeutil import utcnow

RECENT_DAYS = 180  # recommendations read at most this far back (the policy's last N within it)
REMIND_DAYS = 3  # an open assignment due within this many days shows as a reminder
WINDOW_N = 5  # evaluations before assignment and after completion compared in reports
REPORT_MIN_EVALUATIONS = 3  # below this many on either side the report says "not enough data"
SCORED = (
    EvaluationStatus.SUBMITTED,
    EvaluationStatus.ACKNOWLEDGED,
    EvaluationStatus.DISPUTED,
    EvaluationStatus.RESOLVED,
)
# what a module may train before any rubric is stored: the default rubric's criteria
DEFAULT_CRITERIA = {
    "closing",
    "disclosure",
    "empathy",
    "greeting",
    "resolution",
    "scripted_phrasing",
}
OPEN = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.OVERDUE)


class ModuleInvalid(ValueError):
    """A module (edited or imported) failed validation; ``fields`` maps form field -> problems."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(p for ps in self.fields.values() for p in ps))


class NotAllowed(ValueError):
    """The action does not fit the object's state (e.g. a quiz on a completed assignment)."""


# --- catalog --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleData:
    slug: str
    title: str
    summary: str
    criteria: list[str]
    minutes: int
    content: str
    quiz_yaml: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int


def active_modules() -> list[CoachingModule]:
    return list(
        db.session.scalars(
            select(CoachingModule)
            .where(CoachingModule.is_active.is_(True))
            .order_by(CoachingModule.title)
        )
    )


def all_modules() -> list[CoachingModule]:
    return list(db.session.scalars(select(CoachingModule).order_by(CoachingModule.title)))


def get_module(module_id: int) -> CoachingModule | None:
    return db.session.get(CoachingModule, module_id)


def known_criteria() -> list[str]:
    """Criterion keys of every stored rubric: what a module may say it trains."""
    keys = set(db.session.scalars(select(Criterion.key).distinct()))
    return sorted(keys or DEFAULT_CRITERIA)


_FIELD_OF_PROBLEM = re.compile(r"^[^:]*: (title|summary|criteria|minutes|content|quiz)\b")


def _field_problems(problems: Iterable[str]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        match = _FIELD_OF_PROBLEM.match(problem)
        name = match.group(1) if match else "slug"
        text = problem.split(": ", 1)[1] if ": " in problem else problem
        fields["quiz_yaml" if name == "quiz" else name].append(text)
    return dict(fields)


def validate_module(data: ModuleData) -> training.Module:
    """Validate form data with the library's own catalog rules.

    :raise ModuleInvalid: with the problems per form field.
    """
    try:
        quiz = yaml.safe_load(data.quiz_yaml or "")
    except yaml.YAMLError as exc:
        raise ModuleInvalid({"quiz_yaml": [f"not valid YAML: {exc}"]}) from exc
    text = module_file_text(
        title=data.title,
        summary=data.summary,
        criteria=list(data.criteria),
        minutes=data.minutes,
        content=data.content,
        quiz=quiz,
    )
    try:
        return training.parse_module(text, data.slug, known_criteria=known_criteria())
    except training.CatalogError as exc:
        raise ModuleInvalid(_field_problems(exc.problems)) from exc


def _apply(module: CoachingModule, spec: training.Module) -> bool:
    """Copy ``spec`` onto ``module``; True when anything changed."""
    values = {
        "title": spec.title,
        "summary": spec.summary,
        "criteria": list(spec.criteria),
        "minutes": spec.minutes,
        "content_md": spec.content,
        "quiz": quiz_to_json(spec.quiz),
    }
    changed = False
    for name, value in values.items():
        if getattr(module, name) != value:
            setattr(module, name, value)
            changed = True
    return changed


def save_module(
    data: ModuleData, actor: User, module: CoachingModule | None = None
) -> CoachingModule:
    """Create a module or update ``module``; the slug of an existing module never changes (it is
    the file name in exports and the id assignments are measured by)."""
    if module is not None:
        data = ModuleData(**{**data.__dict__, "slug": module.slug})
    spec = validate_module(data)
    if module is None:
        if db.session.scalar(select(CoachingModule.id).where(CoachingModule.slug == spec.id)):
            raise ModuleInvalid({"slug": [f"a module with the id {spec.id!r} already exists"]})
        module = CoachingModule(slug=spec.id)
        db.session.add(module)
        _apply(module, spec)
        db.session.flush()
        record_audit(actor, "module.create", module, after={"slug": module.slug})
    elif _apply(module, spec):
        db.session.flush()
        record_audit(actor, "module.update", module, after={"slug": module.slug})
    return module


def set_module_active(module: CoachingModule, is_active: bool, actor: User) -> None:
    module.is_active = is_active
    record_audit(actor, "module.activate" if is_active else "module.retire", module)
    db.session.flush()


def import_catalog(catalog: Iterable[training.Module], actor: User | None = None) -> ImportReport:
    """Upsert modules by id (slug): importing the same catalog twice changes nothing."""
    existing = {m.slug: m for m in db.session.scalars(select(CoachingModule))}
    created = updated = unchanged = 0
    for spec in catalog:
        module = existing.get(spec.id)
        if module is None:
            module = CoachingModule(slug=spec.id, is_active=True)
            db.session.add(module)
            _apply(module, spec)
            created += 1
        elif _apply(module, spec):
            updated += 1
        else:
            unchanged += 1
    db.session.flush()
    if actor is not None and (created or updated):
        record_audit(actor, "catalog.import", None, after={"created": created, "updated": updated})
    return ImportReport(created, updated, unchanged)


def import_shipped_catalog(actor: User | None = None) -> ImportReport:
    return import_catalog(training.load_catalog(), actor)


def parse_upload(files: Iterable[tuple[str, bytes]]) -> list[training.Module]:
    """Modules from uploaded ``.md`` files or ``.zip`` archives of them; all or nothing.

    :raise training.CatalogError: listing every problem in every file.
    """
    texts: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for name, payload in files:
        if name.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                    for member in archive.namelist():
                        if member.lower().endswith(".md") and not member.endswith("/"):
                            texts.append((member, archive.read(member)))
            except zipfile.BadZipFile:
                problems.append(f"{name}: not a zip archive")
        elif name.lower().endswith(".md"):
            texts.append((name, payload))
        else:
            problems.append(f"{name}: upload .md module files or a .zip of them")
    modules: list[training.Module] = []
    criteria = known_criteria()
    for name, payload in texts:
        stem = name.rsplit("/", 1)[-1][: -len(".md")]
        try:
            modules.append(
                training.parse_module(payload.decode("utf-8"), stem, known_criteria=criteria)
            )
        except UnicodeDecodeError:
            problems.append(f"{stem}: not UTF-8 text")
        except training.CatalogError as exc:
            problems.extend(exc.problems)
    if not texts and not problems:
        problems.append("no module files (.md) in the upload")
    if problems:
        raise training.CatalogError(problems)
    return modules


def export_catalog() -> bytes:
    """A zip of every module as a catalog file, readable by ``training.load_catalog``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for module in all_modules():
            archive.writestr(f"{module.slug}.md", training.render_module(library_module(module)))
    return buffer.getvalue()


# --- score history and recommendations ---------------------------------------------------------


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


# --- assignments ------------------------------------------------------------------------------


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


# --- coaching sessions --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewSession:
    agent_id: int
    scheduled_at: datetime
    notes: str
    action_items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NewMoment:
    interaction_id: int
    at_s: float
    note: str


def sessions_for(user: User) -> list[CoachingSession]:
    query = select(CoachingSession).options(
        joinedload(CoachingSession.agent), selectinload(CoachingSession.moments)
    )
    if user.role is Role.AGENT:
        query = query.where(CoachingSession.agent_id == (user.agent_id or -1))
    return list(db.session.scalars(query.order_by(CoachingSession.scheduled_at.desc()).limit(100)))


def get_session(session_id: int) -> CoachingSession | None:
    return db.session.get(CoachingSession, session_id)


def plan_session(data: NewSession, coach: User) -> CoachingSession:
    session = CoachingSession(
        agent_id=data.agent_id,
        coach_id=coach.id,
        scheduled_at=data.scheduled_at,
        notes=data.notes.strip(),
        action_items=[item.strip() for item in data.action_items if item.strip()],
    )
    db.session.add(session)
    db.session.flush()
    agent = db.session.get(Agent, data.agent_id)
    if agent is not None and agent.user is not None:
        notify(
            agent.user,
            "coaching.session",
            f"{coach.name} planned a 1:1 with you on {data.scheduled_at:%Y-%m-%d %H:%M}.",
            f"/coaching/sessions/{session.id}",
        )
    record_audit(coach, "coaching_session.plan", session, after={"agent_id": data.agent_id})
    return session


def update_session_notes(session: CoachingSession, notes: str, action_items: list[str]) -> None:
    session.notes = notes.strip()
    session.action_items = [item.strip() for item in action_items if item.strip()]
    db.session.flush()


def moment_choices(agent_id: int) -> list[Interaction]:
    """The agent's recent scored interactions, to attach as moments."""
    return list(
        db.session.scalars(
            select(Interaction)
            .where(Interaction.agent_id == agent_id)
            .order_by(Interaction.started_at.desc())
            .limit(30)
        )
    )


def add_moment(session: CoachingSession, data: NewMoment) -> CoachingMoment:
    """Attach a moment of one of the session's agent's calls (never someone else's)."""
    interaction = db.session.get(Interaction, data.interaction_id)
    if interaction is None or interaction.agent_id != session.agent_id:
        raise NotAllowed("Pick a call of this agent.")
    evaluation = db.session.scalar(
        select(Evaluation)
        .where(Evaluation.interaction_id == interaction.id, Evaluation.status.in_(SCORED))
        .order_by(Evaluation.submitted_at.desc())
    )
    moment = CoachingMoment(
        interaction_id=interaction.id,
        evaluation_id=evaluation.id if evaluation else None,
        at_s=max(0.0, data.at_s),
        note=data.note.strip(),
    )
    session.moments.append(moment)
    db.session.flush()
    return moment


def acknowledge_session(session: CoachingSession, user: User) -> None:
    if session.acknowledged_at is not None:
        raise NotAllowed("Already acknowledged.")
    session.acknowledged_at = utcnow()
    record_audit(user, "coaching_session.acknowledge", session)
    db.session.flush()


def interactions_by_id(ids: Collection[int]) -> dict[int, Interaction]:
    if not ids:
        return {}
    return {
        i.id: i
        for i in db.session.scalars(select(Interaction).where(Interaction.id.in_(list(ids))))
    }


def get_agent(agent_id: int) -> Agent | None:
    return db.session.get(Agent, agent_id)
