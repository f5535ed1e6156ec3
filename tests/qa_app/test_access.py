"""Who may reach which page: every role against every route."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qa_app.auth.models import Role
from qa_app.extensions import db
from tests.factories import make_agent, make_interaction, make_user
from tests.qa_app.conftest import login

ALL = {Role.ADMIN, Role.REVIEWER, Role.TRAINER, Role.AGENT, Role.ANALYST}
STAFF = {Role.ADMIN, Role.REVIEWER, Role.TRAINER}

# route -> roles that get 200; every other signed-in role gets 403, anonymous goes to /login
MATRIX: dict[str, set[Role]] = {
    "/": ALL,
    "/calls/": ALL,
    "/calls/upload": {Role.ADMIN, Role.REVIEWER},
    "/calls/status.json": ALL,
    "/coaching/": ALL - {Role.ANALYST},
    "/coaching/modules": STAFF,
    "/coaching/modules/new": {Role.ADMIN, Role.TRAINER},
    "/coaching/modules/export": {Role.ADMIN, Role.TRAINER},
    "/coaching/recommendations": {Role.ADMIN, Role.TRAINER},
    "/coaching/assign": {Role.ADMIN, Role.TRAINER},
    "/coaching/policy": {Role.ADMIN, Role.TRAINER},
    "/coaching/report": STAFF,
    "/coaching/sessions/new": STAFF,
    "/reviews/": {Role.ADMIN, Role.REVIEWER},
    "/reviews/interactions": {Role.ADMIN, Role.REVIEWER},
    "/reviews/mine": {Role.AGENT},
    "/reviews/notifications": ALL - {Role.ANALYST},
    "/reviews/agreement": STAFF,
    "/reviews/queue": {Role.ADMIN, Role.REVIEWER},
    "/reviews/sampling": {Role.ADMIN, Role.REVIEWER},
    "/reviews/coverage": STAFF,
    "/reviews/calibration": {Role.ADMIN, Role.REVIEWER},
    "/analytics/": ALL,
    "/analytics/interactions": ALL,
    "/analytics/topics": ALL,
    "/analytics/mood": ALL,
    "/analytics/events": ALL,
    "/analytics/events/new": {Role.ADMIN, Role.ANALYST},
    "/analytics/import": {Role.ADMIN, Role.ANALYST},
    "/analytics/emerging": ALL,
    "/agents/": STAFF,
    "/admin/users": {Role.ADMIN},
    "/admin/users/new": {Role.ADMIN},
    "/admin/teams/new": {Role.ADMIN},
    "/admin/agents/new": {Role.ADMIN},
    "/admin/rubrics": {Role.ADMIN},
    "/taxonomy/suggest.json": {Role.ADMIN, Role.REVIEWER},
    "/taxonomy/export.csv": STAFF | {Role.ANALYST},
    "/taxonomy/": {Role.ADMIN, Role.ANALYST},
    "/taxonomy/draft/tags/new": {Role.ADMIN, Role.ANALYST},
    "/taxonomy/runs.json": {Role.ADMIN, Role.ANALYST},
}

CASES = [(route, role) for route in MATRIX for role in [*sorted(ALL), None]]


@pytest.mark.parametrize(
    ("route", "role"),
    CASES,
    ids=[f"{r}-{role.value if role else 'anonymous'}" for r, role in CASES],
)
def test_access_matrix(app: Flask, client: FlaskClient, route: str, role: Role | None) -> None:
    if role is not None:
        with app.app_context():
            user = make_user(role)
            db.session.commit()
            login(client, user.email)
    response = client.get(route)
    if role is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    elif role in MATRIX[route]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Not allowed" in response.get_data(as_text=True)


def test_every_view_declares_its_policy(app: Flask) -> None:
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not getattr(view, "required_policy", None)
    ]
    assert missing == []


def test_every_protected_page_route_is_in_the_matrix(app: Flask) -> None:
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.endpoint != "static"
        and getattr(app.view_functions[rule.endpoint], "required_policy", "") not in ("public",)
        and not rule.rule.startswith("/api/")
    }
    assert routes <= set(MATRIX), routes - set(MATRIX)


@pytest.fixture
def two_agents(app: Flask) -> dict[str, int | str]:
    with app.app_context():
        mine, theirs = make_agent(name="Mine"), make_agent(name="Theirs")
        user = make_user(Role.AGENT, agent=mine)
        own = make_interaction(mine, turns=(("agent", "own call text"),))
        other = make_interaction(theirs, turns=(("agent", "someone else's call text"),))
        db.session.commit()
        return {
            "email": user.email,
            "own": own.id,
            "other": other.id,
            "mine": mine.id,
            "theirs": theirs.id,
        }


def test_agent_reads_own_interaction(client: FlaskClient, two_agents: dict) -> None:
    login(client, two_agents["email"])
    response = client.get(f"/calls/{two_agents['own']}")
    assert response.status_code == 200
    assert "own call text" in response.get_data(as_text=True)


def test_agent_cannot_read_another_agents_interaction_by_id(
    client: FlaskClient, two_agents: dict
) -> None:
    login(client, two_agents["email"])
    response = client.get(f"/calls/{two_agents['other']}")
    assert response.status_code == 404
    assert "someone else" not in response.get_data(as_text=True)
    assert client.get(f"/agents/{two_agents['theirs']}").status_code == 404


def test_agent_list_shows_only_own_interactions(client: FlaskClient, two_agents: dict) -> None:
    login(client, two_agents["email"])
    page = client.get("/calls/").get_data(as_text=True)
    assert f"#{two_agents['own']}<" in page
    assert f"#{two_agents['other']}<" not in page


def test_unknown_ids_are_404_for_staff(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = make_user(Role.ADMIN)
        db.session.commit()
        login(client, user.email)
    assert client.get("/calls/999999").status_code == 404
    assert client.get("/agents/999999").status_code == 404


@pytest.mark.parametrize("role", sorted(ALL))
def test_only_roles_with_evaluation_notifications_get_the_inbox_link(
    app: Flask, client: FlaskClient, role: Role
) -> None:
    # analysts get no evaluation notifications: no Inbox in their nav (the route stays open,
    # as MATRIX says, and shows an empty inbox)
    with app.app_context():
        user = make_user(role)
        db.session.commit()
        login(client, user.email)
    page = client.get("/").get_data(as_text=True)
    assert ('href="/reviews/notifications"' in page) is (role is not Role.ANALYST)
