"""Effectiveness per module and team, the per-agent loop, and 1:1 sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from qa_app.auth.models import Role
from qa_app.coaching.models import AssignmentStatus, CoachingModule, CoachingSession
from qa_app.coaching.report import effectiveness, forest
from qa_app.coaching.services import NewAssignment, assign
from qa_app.extensions import db
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction, make_team, make_user
from tests.qa_app.coaching_helpers import catalog, rubric, scored_call
from tests.qa_app.conftest import csrf_token, login


def _slug(slug: str) -> CoachingModule:
    return db.session.scalar(select(CoachingModule).where(CoachingModule.slug == slug))


@pytest.fixture
def loop(app: Flask) -> dict[str, int]:
    """Ana: empathy low before the module, high after; Ben: completed, but no calls after."""
    with app.app_context():
        r = rubric()
        catalog()
        now = utcnow()
        team = make_team("Billing")
        ana, ben = make_agent(team, "Ana"), make_agent(make_team("Tech"), "Ben")
        for days, value in [(20, 0.2), (19, 0.3), (18, 0.1), (10, 0.8), (9, 0.7), (8, 0.9)]:
            scored_call(ana, {"empathy": value}, rubric_=r, at=now - timedelta(days=days))
        for days in (20, 19, 18):
            scored_call(ben, {"disclosure": 0.0}, rubric_=r, at=now - timedelta(days=days))
        first, second = assign(
            [
                NewAssignment(ana.id, _slug("acknowledging-frustration").id, None),
                NewAssignment(ben.id, _slug("required-disclosures").id, None),
            ],
            None,
        )
        for a in (first, second):
            a.created_at = now - timedelta(days=15)
            a.completed_at = now - timedelta(days=14)
            a.status = AssignmentStatus.COMPLETED
        db.session.commit()
        return {"ana": ana.id, "team": team.id}


def test_effect_per_module_with_interval_and_not_enough_data(app: Flask, loop: dict) -> None:
    with app.app_context():
        rows = {(r.module.slug, r.team): r for r in effectiveness()}
        ana = rows[("acknowledging-frustration", "All teams")].effect.overall
        assert (ana.before_n, ana.after_n) == (3, 3)
        assert ana.change == pytest.approx(0.6)
        assert ana.low is not None and 0 < ana.low < 0.6 < ana.high
        ben = rows[("required-disclosures", "All teams")].effect.overall
        assert ben.change is None and "not enough data" in ben.note
        plotted = {p.label: p for p in forest(rows.values())}
        assert plotted["Acknowledging frustration · All teams"].positive
        assert plotted["Required disclosures · All teams"].x is None
        only_billing = effectiveness(loop["team"])
        assert [(r.module.slug, r.team) for r in only_billing] == [
            ("acknowledging-frustration", "Billing")
        ]


def test_report_and_agent_loop_pages_draw_charts(
    app: Flask, client: FlaskClient, loop: dict
) -> None:
    with app.app_context():
        email = make_user(Role.TRAINER).email
        db.session.commit()
    login(client, email)
    report = client.get("/coaching/report").get_data(as_text=True)
    assert 'class="ci ci-up"' in report and "not enough data" in report
    page = client.get(f"/coaching/agents/{loop['ana']}").get_data(as_text=True)
    assert "<polyline" in page and "mark-completed" in page and "+0.60" in page


def test_coach_plans_a_session_and_the_agent_acknowledges(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        agent, stranger = make_agent(name="Ada"), make_agent()
        own_call, other_call = make_interaction(agent), make_interaction(stranger)
        agent_email = make_user(Role.AGENT, agent=agent).email
        coach_email = make_user(Role.REVIEWER).email
        ids = (agent.id, own_call.id, other_call.id)
        db.session.commit()
    agent_id, own_id, other_id = ids
    login(client, coach_email)
    response = client.post(
        "/coaching/sessions/new",
        data={
            "csrf_token": csrf_token(client, "/coaching/sessions/new"),
            "agent_id": str(agent_id),
            "scheduled_at": (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "notes": "Talk about the refund call.",
            "action_items": "Name the feeling first\n\nOffer a next step",
        },
    )
    assert response.status_code == 302
    url = response.headers["Location"]
    token = csrf_token(client, url)
    moment = {"csrf_token": token, "interaction_id": str(own_id), "at_s": "42", "note": "here"}
    client.post(f"{url}/moments", data=moment)
    client.post(f"{url}/moments", data={**moment, "interaction_id": str(other_id)})
    with app.app_context():
        session = db.session.scalar(select(CoachingSession))
        assert session.action_items == ["Name the feeling first", "Offer a next step"]
        assert [(m.interaction_id, m.at_s) for m in session.moments] == [(own_id, 42.0)]
    client.post("/logout", data={"csrf_token": token})
    login(client, agent_email)
    page = client.get(url).get_data(as_text=True)
    assert "Talk about the refund call." in page and "0:42" in page
    inbox = client.get("/reviews/notifications").get_data(as_text=True)
    assert "planned a 1:1 with you" in inbox
    client.post(f"{url}/acknowledge", data={"csrf_token": csrf_token(client, url)})
    with app.app_context():
        assert db.session.scalar(select(CoachingSession)).acknowledged_at is not None
