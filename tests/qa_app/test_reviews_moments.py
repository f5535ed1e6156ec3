"""Comments pinned to moments, calibration autosave, and the reviewer told of acknowledgements."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from qa_app.auth.models import User
from qa_app.extensions import db
from qa_app.reviews.models import CalibrationSession, Evaluation, EvaluationStatus, Notification
from tests.qa_app.conftest import csrf_token
from tests.qa_app.test_reviews_workflow import (
    World,
    build_world,
    evaluation_of,
    review_url,
    scored_form,
    sign_in_as,
    submit_as_reviewer,
)


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return build_world()


def test_overall_and_criterion_comments_pin_to_moments(
    app: Flask, client: FlaskClient, world: World
) -> None:
    first = world.criteria[0][0]
    submit_as_reviewer(
        client,
        world,
        comment="Listen to how the refund was explained.",
        comment_moment="6.5",
        **{f"comment_{first}": "Greeting was warm.", f"moment_{first}": "0.5"},
    )
    evaluation = evaluation_of(app, world)
    assert evaluation.comment_moment_s == 6.5
    sign_in_as(client, world.agent)
    page = client.get(f"/reviews/evaluations/{evaluation.id}").get_data(as_text=True)
    assert 'data-start="6.5"' in page and "Listen at 0:06" in page  # the overall pin
    assert 'data-start="0.5"' in page  # the criterion pin


def test_a_bad_moment_is_refused_and_the_input_kept(client: FlaskClient, world: World) -> None:
    sign_in_as(client, world.reviewer)
    data = scored_form(client, world, comment="Keep this text", comment_moment="-3")
    response = client.post(review_url(world), data={**data, "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Keep this text" in page and 'value="-3"' in page
    assert "Number must be at least 0" in page


def _calibration(app: Flask, world: World) -> tuple[str, int]:
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == world.reviewer))
        invitee = db.session.scalar(select(User).where(User.email == world.reviewer2))
        session = CalibrationSession(interaction_id=world.interaction, lead_id=lead.id, title="C")
        session.participants = [lead, invitee]
        db.session.add(session)
        db.session.commit()
        return f"/reviews/calibration/{session.id}", session.id


def _blind_form(client: FlaskClient, url: str, world: World, value: str) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d*)"', page)
    data = {"csrf_token": csrf_token(client, url), "version": version.group(1) if version else ""}
    data.update({f"score_{cid}": value for cid, _key, _na in world.criteria})
    return data


def test_calibration_scores_autosave_with_versions(
    app: Flask, client: FlaskClient, world: World
) -> None:
    url, session_id = _calibration(app, world)
    sign_in_as(client, world.reviewer2)
    page = client.get(url).get_data(as_text=True)
    assert f'data-autosave-url="{url}/autosave"' in page
    first = client.post(url + "/autosave", data=_blind_form(client, url, world, "70"))
    assert first.status_code == 200 and first.json["ok"] and first.json["total"] == 70
    stale = _blind_form(client, url, world, "40")
    stale["version"] = ""  # a tab opened before the first save
    conflict = client.post(url + "/autosave", data=stale)
    assert conflict.status_code == 409 and conflict.json["conflict"]
    second = client.post(url + "/autosave", data=_blind_form(client, url, world, "60"))
    assert second.json["ok"] and second.json["version"] > first.json["version"]
    with app.app_context():
        mine = db.session.scalar(select(Evaluation).where(Evaluation.calibration_id == session_id))
        assert mine.status is EvaluationStatus.DRAFT and round(mine.total) == 60
    bad = _blind_form(client, url, world, "140")
    assert client.post(url + "/autosave", data=bad).status_code == 422


def test_calibration_autosave_is_refused_to_outsiders_and_after_reveal(
    app: Flask, client: FlaskClient, world: World
) -> None:
    url, session_id = _calibration(app, world)
    sign_in_as(client, world.admin)  # admins may look, but reveal closes the scorecards
    form = _blind_form(client, url, world, "50")
    sign_in_as(client, world.agent)
    assert client.post(url + "/autosave", data=form).status_code == 403
    with app.app_context():
        db.session.get(CalibrationSession, session_id).revealed_at = db.func.now()
        db.session.commit()
    sign_in_as(client, world.reviewer2)
    refused = client.post(url + "/autosave", data=_blind_form(client, url, world, "50"))
    assert refused.status_code == 422 and "revealed" in refused.json["error"]


def test_the_reviewer_is_notified_when_the_agent_acknowledges(
    app: Flask, client: FlaskClient, world: World
) -> None:
    evaluation = submit_as_reviewer(client, world)
    sign_in_as(client, world.agent)
    url = f"/reviews/evaluations/{evaluation.id}"
    client.post(url + "/acknowledge", data={"csrf_token": csrf_token(client, url)})
    with app.app_context():
        reviewer = db.session.scalar(select(User).where(User.email == world.reviewer))
        note = db.session.scalar(
            select(Notification).where(
                Notification.user_id == reviewer.id, Notification.kind == "evaluation.acknowledged"
            )
        )
        assert note is not None and note.link == url and f"#{world.interaction}" in note.message
    sign_in_as(client, world.reviewer)
    assert "acknowledged your evaluation" in client.get("/reviews/notifications").get_data(
        as_text=True
    )
