"""`flask seed-demo`: idempotent demo data, never on a database with real users."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from qa_app.agents.models import Team
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.reviews.models import Rubric
from tests.factories import make_user
from tests.qa_app.conftest import login

DEMO_EMAILS = {
    "admin@example.com",
    "reviewer@example.com",
    "trainer@example.com",
    "agent@example.com",
    "agent2@example.com",
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
