"""Demo data for ``flask seed-demo``: a small, believable contact center."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

import scoring
from qa_app.admin.services import NewAgent, NewTeam, create_agent, create_team
from qa_app.agents.models import Agent, Team
from qa_app.analytics.demo_social import ensure_social_demo
from qa_app.analytics.emerging import compute_snapshot
from qa_app.auth.models import Role, User
from qa_app.auth.services import NewUser, create_user
from qa_app.calls.demo_audio import ensure_pipeline_demo
from qa_app.calls.models import Channel, Interaction, Segment, Speaker, Status, Transcript
from qa_app.demo_history import ensure_chat_history
from qa_app.extensions import db
from qa_app.reviews.demo_data import ensure_demo_queue, ensure_demo_recording
from qa_app.reviews.models import Rubric
from qa_app.reviews.services import active_rubric
from qa_app.reviews.suggestions import score_interaction, store_rubric
from qa_app.tagging.ingest import analyse_pending
from qa_app.tagging.library import published_taxonomy, store_taxonomy
from qa_app.tagging.models import Taxonomy, TaxonomyStatus
from qa_app.timeutil import utcnow

DEMO_PASSWORD = "demo"


class RealUsersPresent(RuntimeError):
    """Seeding demo accounts with a known password into a real installation would be a hole."""


@dataclass(frozen=True)
class SeedReport:
    created_users: int
    created_interactions: int


DEMO_TEAMS = [
    ("Billing", "Invoices, refunds and payment plans"),
    ("Technical support", "Connectivity, devices and outages"),
]
DEMO_AGENTS = [
    ("Alex Morgan", "Billing", "A-1001"),
    ("Bea Lindqvist", "Technical support", "A-1002"),
]
DEMO_USERS = [
    ("admin@example.com", "Ada Admin", Role.ADMIN, None),
    ("reviewer@example.com", "Riley Reviewer", Role.REVIEWER, None),
    ("trainer@example.com", "Tess Trainer", Role.TRAINER, None),
    ("agent@example.com", "Alex Morgan", Role.AGENT, "A-1001"),
    ("agent2@example.com", "Bea Lindqvist", Role.AGENT, "A-1002"),
    ("analyst@example.com", "Ana Analyst", Role.ANALYST, None),
]
DEMO_CALLS = [
    (
        "A-1001",
        "billing",
        0,
        [
            (
                "agent",
                "Thank you for calling Northwind, this is Alex. This call may be recorded "
                "for quality and training purposes.",
            ),
            ("customer", "Hi, I was charged twice for my March invoice and I'm really frustrated."),
            (
                "agent",
                "I'm sorry about that, being charged twice is stressful. Let me look right now.",
            ),
            ("customer", "Thanks. It's the payment from the fourth."),
            (
                "agent",
                "I can see both payments. I've refunded the duplicate; it arrives in three days.",
            ),
            ("customer", "Great, that solves it. Thank you."),
            ("agent", "You're welcome. Is there anything else? Have a good afternoon."),
        ],
    ),
    (
        "A-1002",
        "tech",
        1,
        [
            ("agent", "Northwind support, Bea speaking."),
            (
                "customer",
                "My internet has been down since yesterday. This is the third time I call.",
            ),
            ("agent", "Please restart your router."),
            ("customer", "I already did that twice."),
            ("agent", "Then I will create a ticket for a technician. Someone will call you back."),
            ("customer", "Fine."),
        ],
    ),
    (
        "A-1001",
        "billing",
        2,
        [
            ("agent", "Thanks for calling Northwind, Alex here. This call is being recorded."),
            ("customer", "I'd like to change my payment date to the fifteenth."),
            ("agent", "Of course. Done: from next month your payment is taken on the fifteenth."),
            ("customer", "Perfect, thanks."),
            ("agent", "Anything else I can help with today? Thanks for calling."),
        ],
    ),
]


def _ensure_demo_allowed() -> None:
    real = db.session.scalar(select(User.email).where(User.is_demo.is_(False)).limit(1))
    if real is not None:
        raise RealUsersPresent(
            "This database has real (non-demo) users; refusing to add demo accounts with a "
            "known password. Use an empty database for the demo."
        )


def _ensure_teams_and_agents() -> dict[str, Agent]:
    teams = {t.name: t for t in db.session.scalars(select(Team))}
    for name, description in DEMO_TEAMS:
        if name not in teams:
            teams[name] = create_team(NewTeam(name, description))
    agents = {a.employee_ref: a for a in db.session.scalars(select(Agent)) if a.employee_ref}
    for name, team, ref in DEMO_AGENTS:
        if ref not in agents:
            agents[ref] = create_agent(NewAgent(name, teams[team].id, ref))
    return agents


def _ensure_published_taxonomy() -> Taxonomy:
    """The shipped demo taxonomy as the published version, unless one is published already
    (an analyst's own edits of the demo are kept)."""
    existing = published_taxonomy()
    if existing is not None:
        return existing
    spec = scoring.demo_taxonomy()
    return store_taxonomy(
        spec, name="Northwind", version=spec.version, status=TaxonomyStatus.PUBLISHED
    )


def _ensure_rubric() -> Rubric:
    return active_rubric() or store_rubric(scoring.default_rubric(), activate=True)


def _ensure_calls(
    agents: dict[str, Agent],
    rubric: Rubric,
    calls: list[tuple[str, str, int, list[tuple[str, str]]]] | None = None,
    prefix: str = "demo",
) -> int:
    created = 0
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for number, (ref, queue, days_ago, turns) in enumerate(calls or DEMO_CALLS, start=1):
        external_id = f"{prefix}-{number}"
        if db.session.scalar(select(Interaction.id).where(Interaction.external_id == external_id)):
            continue
        interaction = Interaction(
            channel=Channel.VOICE,
            agent_id=agents[ref].id,
            queue=queue,
            external_id=external_id,
            started_at=now - timedelta(days=days_ago, hours=number),
            status=Status.READY,
            customer_ref=f"CUST-{4000 + number}",
        )
        transcript = Transcript(
            engine="demo", model="hand-written", language="en", speaker_mode="channels"
        )
        clock = 0.0
        for position, (speaker, text) in enumerate(turns):
            length = max(2.0, len(text.split()) * 0.4)
            transcript.segments.append(
                Segment(
                    position=position,
                    speaker=Speaker(speaker),
                    start_s=clock,
                    end_s=clock + length,
                    text=text,
                    redacted_text=text,
                    confidence=0.9,
                    words=[],
                )
            )
            clock += length + 0.6
        interaction.duration_s = clock
        interaction.transcript = transcript
        db.session.add(interaction)
        db.session.flush()
        score_interaction(interaction, rubric)
        created += 1
    return created


def seed_demo() -> SeedReport:
    """Create whatever part of the demo data is missing; running it again changes nothing."""
    _ensure_demo_allowed()
    agents = _ensure_teams_and_agents()
    existing = set(db.session.scalars(select(User.email)))
    created_users = 0
    for email, name, role, agent_ref in DEMO_USERS:
        if email in existing:
            continue
        agent_id = agents[agent_ref].id if agent_ref else None
        create_user(NewUser(email, name, DEMO_PASSWORD, role, agent_id=agent_id, is_demo=True))
        created_users += 1
    rubric = _ensure_rubric()
    created_calls = _ensure_calls(agents, rubric)
    ensure_demo_recording()  # reviews (issue 5): audio for the review page's player
    ensure_demo_queue()
    created_calls += _ensure_coaching_demo(agents, rubric)
    created_calls += ensure_chat_history(list(agents.values()), rubric)
    created_calls += ensure_pipeline_demo()  # pipeline (issue 3): real audio, real worker
    _ensure_published_taxonomy()  # tagging (issue 9): demo enquiry types and complaint topics
    created_calls += ensure_social_demo()  # analytics (issue 10): social/chat items, events
    analyse_pending()  # every demo interaction embedded, tagged and with mood (issues 9, 10)
    compute_snapshot()  # analytics (issue 10): emerging topics stored for the page and notice
    db.session.flush()
    return SeedReport(created_users, created_calls)


# coaching (issue 6): a few more of Bea's calls, so her weak criteria show up as
# recommendations (the library wants at least three scored calls), and the module catalog
COACHING_DEMO_CALLS = [
    (
        "A-1002",
        "tech",
        3,
        [
            ("agent", "Support."),
            ("customer", "My router keeps dropping the connection and I'm fed up with it."),
            ("agent", "Unplug it and plug it back in."),
            ("customer", "I have done that five times already this week."),
            ("agent", "Then it's probably your wiring. Anything else?"),
        ],
    ),
    (
        "A-1002",
        "tech",
        4,
        [
            ("agent", "Yes?"),
            ("customer", "The TV box froze again, this is really annoying, I missed the match."),
            ("agent", "Hold the power button for ten seconds."),
            ("customer", "Okay, it restarted."),
            ("agent", "Fine. Bye."),
        ],
    ),
    (
        "A-1002",
        "tech",
        5,
        [
            ("agent", "Northwind."),
            ("customer", "I'm worried, my internet bill says I used 900 gigabytes, that's wrong."),
            ("agent", "Usage is measured by the system."),
            ("customer", "But I was away on holiday."),
            ("agent", "I can't change that. Goodbye."),
        ],
    ),
]


def _ensure_coaching_demo(agents: dict[str, Agent], rubric: Rubric) -> int:
    """The shipped catalog, Bea's extra calls, and one module Alex completed three weeks ago
    (so the effectiveness report has a before and an after to compare)."""
    from qa_app.coaching.models import Assignment, AssignmentStatus, CoachingModule, QuizAttempt
    from qa_app.coaching.services import import_shipped_catalog

    import_shipped_catalog()
    created = _ensure_calls(agents, rubric, COACHING_DEMO_CALLS, prefix="demo-coaching")
    module = db.session.scalar(
        select(CoachingModule).where(CoachingModule.slug == "acknowledging-frustration")
    )
    if module is None:
        return created
    alex = agents["A-1001"]
    done = select(Assignment.id).where(
        Assignment.agent_id == alex.id, Assignment.module_id == module.id
    )
    if db.session.scalar(done) is None:
        assigned = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=22)
        assignment = Assignment(
            agent_id=alex.id,
            module_id=module.id,
            status=AssignmentStatus.COMPLETED,
            source="recommended",
            reason="empathy 0.45 over the last 6 calls; AI suggestions only, not yet reviewed",
            created_at=assigned,
            started_at=assigned + timedelta(hours=20),
            due_at=assigned + timedelta(days=7),
            completed_at=assigned + timedelta(days=1),
        )
        for hours, score in ((20, 0.5), (24, 1.0)):
            assignment.attempts.append(
                QuizAttempt(
                    answers={},
                    score=score,
                    passed=score >= 0.75,
                    created_at=assigned + timedelta(hours=hours),
                )
            )
        db.session.add(assignment)
    return created
