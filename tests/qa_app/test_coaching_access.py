"""Refusals: an agent sees only their own coaching; a trainer coaches but never edits scores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import training
from qa_app.auth.models import Role
from qa_app.coaching.models import Assignment, CoachingModule, QuizAttempt
from qa_app.coaching.services import NewAssignment, NewSession, assign, plan_session
from qa_app.extensions import db
from qa_app.reviews.models import Evaluation
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_user
from tests.qa_app.coaching_helpers import catalog, evaluate, rubric, weak_history
from tests.qa_app.conftest import csrf_token, login

MODULE = "acknowledging-frustration"


@pytest.fixture
def two(app: Flask) -> dict[str, int | str]:
    """Two agents, each with an assignment of the same module and a 1:1; Theo has answered."""
    with app.app_context():
        catalog()
        module = db.session.scalar(select(CoachingModule).where(CoachingModule.slug == MODULE))
        mine, theirs = make_agent(name="Mia Mine"), make_agent(name="Theo Theirs")
        me = make_user(Role.AGENT, agent=mine)
        them = make_user(Role.AGENT, agent=theirs)
        coach = make_user(Role.TRAINER)
        own, other = assign(
            [NewAssignment(mine.id, module.id, None), NewAssignment(theirs.id, module.id, None)],
            coach,
        )
        other.reason = "Theo's private reason"
        other.attempts.append(QuizAttempt(answers={"q1": 3}, score=0.25, passed=False))
        session = plan_session(
            NewSession(theirs.id, utcnow() + timedelta(days=1), "Theo's notes", ["call back"]),
            coach,
        )
        db.session.commit()
        return {
            "me": me.email,
            "them": them.email,
            "coach": coach.email,
            "own": own.id,
            "other": other.id,
            "theirs": theirs.id,
            "session": session.id,
        }


def test_agent_list_shows_only_own_assignments(client: FlaskClient, two: dict) -> None:
    login(client, two["me"])
    page = client.get("/coaching/").get_data(as_text=True)
    assert f"/coaching/assignments/{two['own']}" in page
    assert f"/coaching/assignments/{two['other']}" not in page
    assert "Theo" not in page


def test_agent_cannot_open_or_answer_another_agents_assignment(
    app: Flask, client: FlaskClient, two: dict
) -> None:
    login(client, two["me"])
    url = f"/coaching/assignments/{two['other']}"
    response = client.get(url)
    assert response.status_code == 404
    assert "private reason" not in response.get_data(as_text=True)
    token = csrf_token(client, f"/coaching/assignments/{two['own']}")
    assert client.post(url, data={"csrf_token": token, "q_q1": "1"}).status_code == 404
    with app.app_context():
        assert len(db.session.get(Assignment, two["other"]).attempts) == 1


def test_quiz_answers_stay_hidden_until_passed(client: FlaskClient, two: dict) -> None:
    module = training.load_catalog().get(MODULE)
    login(client, two["me"])
    page = client.get(f"/coaching/assignments/{two['own']}").get_data(as_text=True)
    assert module.quiz.questions[0].prompt.split('"')[0] in page
    for question in module.quiz.questions:
        assert question.explanation not in page


def test_agent_cannot_see_another_agents_loop_or_session(client: FlaskClient, two: dict) -> None:
    login(client, two["me"])
    assert client.get(f"/coaching/agents/{two['theirs']}").status_code == 404
    response = client.get(f"/coaching/sessions/{two['session']}")
    assert response.status_code == 404 and "Theo's notes" not in response.get_data(as_text=True)
    token = csrf_token(client, "/coaching/")
    ack = client.post(
        f"/coaching/sessions/{two['session']}/acknowledge", data={"csrf_token": token}
    )
    assert ack.status_code == 404


def test_staff_see_attempts_but_cannot_take_the_quiz(
    app: Flask, client: FlaskClient, two: dict
) -> None:
    login(client, two["coach"])
    url = f"/coaching/assignments/{two['other']}"
    page = client.get(url).get_data(as_text=True)
    assert "25%" in page and "not passed" in page
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 404
    with app.app_context():
        assert len(db.session.get(Assignment, two["other"]).attempts) == 1


def test_agents_cannot_plan_sessions_or_assign(client: FlaskClient, two: dict) -> None:
    login(client, two["me"])
    token = csrf_token(client, "/coaching/")
    assert client.post("/coaching/sessions/new", data={"csrf_token": token}).status_code == 403
    assert client.post("/coaching/assign", data={"csrf_token": token}).status_code == 403
    assert client.post("/coaching/recommendations", data={"csrf_token": token}).status_code == 403
    moment = client.post(f"/coaching/sessions/{two['session']}/moments", data={"csrf_token": token})
    assert moment.status_code == 403


def test_trainer_cannot_edit_evaluations(app: Flask, client: FlaskClient) -> None:
    """Every review route that changes scores refuses a trainer, and the evaluation stays."""
    with app.app_context():
        r = rubric()
        agent = make_agent()
        (call,) = weak_history(agent, r, n=1)
        evaluation = evaluate(call, {"empathy": 0.4}, rubric_=r, reviewer=None)
        trainer = make_user(Role.TRAINER)
        ids = {"interaction_id": call.id, "evaluation_id": evaluation.id, "dispute_id": 1}
        email, evaluation_id = trainer.email, evaluation.id
        db.session.commit()
        changing = [
            rule
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("reviews.")
            and "POST" in rule.methods
            and getattr(app.view_functions[rule.endpoint], "required_policy", "")
            in {"can_review", "can_resolve_disputes"}
        ]
    assert changing, "the review area has no score-changing routes to check"
    login(client, email)
    token = csrf_token(client, "/coaching/")
    for rule in changing:
        url = rule.build({k: ids.get(k, 1) for k in rule.arguments})[1]
        response = client.post(url, data={"csrf_token": token, "action": "submit"})
        assert response.status_code == 403, url
    with app.app_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        assert evaluation.version == 1
        assert [i.score for i in evaluation.items] == [0.4]
