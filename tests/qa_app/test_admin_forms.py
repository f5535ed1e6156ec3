"""The admin sets up users, teams and agents; forms refuse bad input and missing CSRF."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from qa_app.admin.models import AuditEvent
from qa_app.agents.models import Agent, Team
from qa_app.auth.models import Role, User
from qa_app.extensions import db
from tests.factories import make_agent, make_team, make_user
from tests.qa_app.conftest import csrf_token, login


@pytest.fixture
def admin_client(app: Flask, client: FlaskClient) -> FlaskClient:
    with app.app_context():
        admin = make_user(Role.ADMIN)
        db.session.commit()
        login(client, admin.email)
    return client


def test_admin_creates_a_team_and_it_is_audited(app: Flask, admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/admin/teams/new",
        data={
            "name": "Retention",
            "description": "Keeps customers",
            "csrf_token": csrf_token(admin_client, "/admin/teams/new"),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name == "Retention"))
        assert team is not None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "team.create"))
        assert (
            event is not None
            and event.entity_id == team.id
            and event.after == {"name": "Retention"}
        )


def test_admin_creates_an_agent_in_a_team(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        team_id = make_team("Sales").id
        db.session.commit()
    response = admin_client.post(
        "/admin/agents/new",
        data={
            "name": "Sam Seller",
            "employee_ref": "S-77",
            "team_id": str(team_id),
            "csrf_token": csrf_token(admin_client, "/admin/agents/new"),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.employee_ref == "S-77"))
        assert agent is not None and agent.team_id == team_id


def test_admin_creates_an_agent_user_who_can_sign_in(
    app: Flask, admin_client: FlaskClient, client: FlaskClient
) -> None:
    with app.app_context():
        agent_id = make_agent(name="Nia New").id
        db.session.commit()
    response = admin_client.post(
        "/admin/users/new",
        data={
            "name": "Nia New",
            "email": "Nia@Example.org",
            "role": "agent",
            "agent_id": str(agent_id),
            "password": "a long enough password",
            "csrf_token": csrf_token(admin_client, "/admin/users/new"),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nia@example.org"))
        assert user is not None and user.role is Role.AGENT and user.agent_id == agent_id
        assert "a long enough password" not in user.password_hash


def test_bad_user_input_rerenders_with_field_errors(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/admin/users/new",
        data={
            "name": "",
            "email": "not-an-email",
            "role": "agent",
            "agent_id": "0",
            "password": "short",
            "csrf_token": csrf_token(admin_client, "/admin/users/new"),
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This field is required." in page
    assert "Invalid email address." in page
    assert "Use at least 10 characters." in page
    assert "An agent user must be linked to an agent profile." in page
    assert 'value="not-an-email"' in page  # what was typed stays in the form


def test_duplicate_email_is_a_field_error(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        existing = make_user(Role.TRAINER).email
        db.session.commit()
    response = admin_client.post(
        "/admin/users/new",
        data={
            "name": "Copy",
            "email": existing.upper(),
            "role": "trainer",
            "agent_id": "0",
            "password": "a long enough password",
            "csrf_token": csrf_token(admin_client, "/admin/users/new"),
        },
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_unknown_role_is_refused(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/admin/users/new",
        data={
            "name": "X",
            "email": "x@example.org",
            "role": "superuser",
            "agent_id": "0",
            "password": "a long enough password",
            "csrf_token": csrf_token(admin_client, "/admin/users/new"),
        },
    )
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/teams/new", "/admin/agents/new", "/admin/users/new"])
def test_form_without_csrf_token_is_refused(
    app: Flask, admin_client: FlaskClient, url: str
) -> None:
    response = admin_client.post(
        url,
        data={
            "name": "Sneaky",
            "email": "s@example.org",
            "role": "admin",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 400
    assert "The form expired or was sent from elsewhere" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Team).where(Team.name == "Sneaky")) is None
        assert db.session.scalar(select(User).where(User.email == "s@example.org")) is None


def test_login_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        email = make_user().email
        db.session.commit()
    from tests.factories import PASSWORD

    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302
