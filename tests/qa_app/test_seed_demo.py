"""`flask seed-demo`: idempotent demo data, never on a database with real users."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from qa_app.agents.models import Team
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.reviews.models import Rubric
from qa_app.tagging.library import published_taxonomy
from qa_app.tagging.models import SegmentEmbeddings, TagAssignment, TaxonomyStatus
from tests.factories import make_user
from tests.qa_app.conftest import login

DEMO_EMAILS = {
    "admin@example.com",
    "reviewer@example.com",
    "trainer@example.com",
    "agent@example.com",
    "agent2@example.com",
    "analyst@example.com",
}


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m)) or 0
        for m in (User, Team, Interaction, Rubric)
    )


def test_seed_demo_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        after_first = _counts()
        assert set(db.session.scalars(select(User.email))) == DEMO_EMAILS
        assert after_first[1] == 2 and after_first[2] >= 3 and after_first[3] == 1
        agents = db.session.scalars(select(User).where(User.role == Role.AGENT)).all()
        assert all(u.agent_id is not None for u in agents)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "0 users and 0 interactions added" in second.output
    with app.app_context():
        assert _counts() == after_first


def test_seed_demo_refuses_a_database_with_real_users(app: Flask) -> None:
    with app.app_context():
        make_user(Role.ADMIN, email="boss@company.example")
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "real (non-demo) users" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "admin@example.com")) is None


def test_every_demo_user_signs_in_with_demo(app: Flask) -> None:
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    for email in sorted(DEMO_EMAILS):
        client = app.test_client()
        login(client, email, "demo")
        assert client.get("/").status_code == 200


def test_demo_interactions_are_embedded_tagged_and_have_mood(app: Flask) -> None:
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        taxonomy = published_taxonomy()
        assert taxonomy is not None and taxonomy.status is TaxonomyStatus.PUBLISHED
        assert {"enquiry", "complaint"} <= set(taxonomy.kinds)
        analyst = db.session.scalar(select(User).where(User.email == "analyst@example.com"))
        assert analyst.role is Role.ANALYST and analyst.is_demo
        texts = select(Interaction).where(Interaction.transcript.has())
        demo = db.session.scalars(texts).all()
        assert len(demo) > 100
        embedded = set(db.session.scalars(select(SegmentEmbeddings.interaction_id)))
        assert {i.id for i in demo} <= embedded
        assert all(i.tagged_taxonomy_id == taxonomy.id and i.mood_label for i in demo)
        # praise is left untagged on purpose (an emerging topic); everything else is covered
        untagged = [i for i in demo if not i.top_tag_confidence]
        assert len(untagged) <= len(demo) // 7, [i.external_id for i in untagged]
        tagged = db.session.scalar(
            select(func.count(func.distinct(TagAssignment.interaction_id))).where(
                TagAssignment.taxonomy_id == taxonomy.id
            )
        )
        assert tagged == len(demo) - len(untagged)


def test_the_analyst_home_shows_the_taxonomy_and_topics_but_no_evaluations(app: Flask) -> None:
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    client = app.test_client()
    login(client, "analyst@example.com", "demo")
    page = client.get("/").get_data(as_text=True)
    assert "Topics and mood" in page and "northwind-demo-1" in page
    assert "Top complaint tags" in page and "Billing error" in page
    assert 'href="/taxonomy/' in page and 'href="/analytics/' in page
    for hidden in ("Reviews</a>", "Coaching</a>", "Evaluations", "evaluation", "coaching/"):
        assert hidden not in page
