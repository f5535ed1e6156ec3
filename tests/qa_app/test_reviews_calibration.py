"""Calibration sessions: blind scoring, reveal by the lead, spread and Krippendorff's alpha."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from qa_app.auth.models import Role, User
from qa_app.extensions import db
from qa_app.reviews.calibration import krippendorff_alpha_interval
from qa_app.reviews.models import CalibrationSession, Evaluation, Notification
from tests.factories import make_user
from tests.qa_app.conftest import csrf_token
from tests.qa_app.test_reviews_workflow import World, build_world, sign_in_as


def test_alpha_on_worked_examples() -> None:
    assert krippendorff_alpha_interval([[10, 10], [50, 50], [90, 90]]) == 1.0
    # two units, each split 1 vs 2: observed 1, expected 8/12 -> 1 - 1.5
    assert krippendorff_alpha_interval([[1, 2], [1, 2]]) == pytest.approx(-0.5)
    assert krippendorff_alpha_interval([[5], [7]]) is None  # nothing pairable
    # mostly agreeing raters on spread-out units score high
    assert krippendorff_alpha_interval([[0, 10], [50, 55], [100, 90]]) > 0.9


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return build_world()


def _score_all(client: FlaskClient, url: str, world: World, value: str) -> None:
    data = {"csrf_token": csrf_token(client, url), "action": "submit", "version": ""}
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d*)"', page)
    data["version"] = version.group(1) if version else ""
    for cid, _key, _na in world.criteria:
        data[f"score_{cid}"] = value
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_blind_session_then_reveal(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in_as(client, world.reviewer)
    with app.app_context():
        invitee = db.session.scalar(select(User).where(User.email == world.reviewer2))
        invitee_id = invitee.id
    token = csrf_token(client, "/reviews/calibration")
    response = client.post(
        "/reviews/calibration",
        data={
            "csrf_token": token,
            "interaction_id": world.interaction,
            "title": "Greeting wording",
            "participants": [invitee_id],
        },
    )
    assert response.status_code == 302
    url = response.headers["Location"]
    with app.app_context():
        session = db.session.scalar(select(CalibrationSession))
        assert {p.email for p in session.participants} == {world.reviewer, world.reviewer2}
        note = db.session.scalar(select(Notification).where(Notification.user_id == invitee_id))
        assert note.link == url

    _score_all(client, url, world, "90")  # the lead

    sign_in_as(client, world.admin)  # admins may look in; uninvited reviewers may not
    assert client.get(url).status_code == 200
    sign_in_as(client, world.reviewer2)
    page = client.get(url).get_data(as_text=True)
    assert 'id="alpha"' not in page and 'value="90"' not in page  # blind
    assert "submitted" in page  # but progress is visible
    _score_all(client, url, world, "60")
    reveal_url = url + "/reveal"
    page = client.post(
        reveal_url, data={"csrf_token": csrf_token(client, url)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Only the session lead reveals" in page

    sign_in_as(client, world.reviewer)
    client.post(reveal_url, data={"csrf_token": csrf_token(client, url)})
    page = client.get(url).get_data(as_text=True)
    assert 'id="alpha"' in page and "-30" in page  # invitee 30 points under the lead
    with app.app_context():
        calibrations = db.session.scalars(
            select(Evaluation).where(Evaluation.calibration_id.is_not(None))
        ).all()
        assert len(calibrations) == 2
    # calibration scorecards are not the interaction's evaluation
    assert "/reviews/evaluations/" not in client.get(
        f"/reviews/interactions/{world.interaction}"
    ).headers.get("Location", "")


def test_uninvited_reviewer_gets_404(app: Flask, client: FlaskClient, world: World) -> None:
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == world.reviewer))
        session = CalibrationSession(
            interaction_id=world.interaction, lead_id=lead.id, title="Private"
        )
        session.participants = [lead]
        db.session.add(session)
        outsider = make_user(Role.REVIEWER)
        db.session.commit()
        url, email = f"/reviews/calibration/{session.id}", outsider.email
    sign_in_as(client, email)
    assert client.get(url).status_code == 404
    assert "Private" not in client.get("/reviews/calibration").get_data(as_text=True)
    sign_in_as(client, world.agent)
    assert client.get(url).status_code == 403
