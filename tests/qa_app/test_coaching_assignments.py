"""From score history to assignment to completed quiz, with reminders and auto-assign."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import training
from qa_app.auth.models import Role, User
from qa_app.coaching.models import Assignment, AssignmentStatus, CoachingModule
from qa_app.coaching.services import (
    NewAssignment,
    PolicyData,
    assign,
    recommendations,
    refresh_overdue,
    reminders_for,
    run_auto_assign,
    save_policy,
    score_history,
    send_due_reminders,
)
from qa_app.extensions import db
from qa_app.reviews.notifications import notifications_for
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_team, make_user
from tests.qa_app.coaching_helpers import catalog, evaluate, rubric, weak_history
from tests.qa_app.conftest import csrf_token, login

MODULE = "acknowledging-frustration"


def _module(slug: str = MODULE) -> CoachingModule:
    return db.session.scalar(select(CoachingModule).where(CoachingModule.slug == slug))


def test_history_takes_reviewer_scores_over_ai(app: Flask) -> None:
    with app.app_context():
        r = rubric()
        agent = make_agent()
        calls = weak_history(agent, r, n=2)
        evaluate(calls[0], {"empathy": 0.8}, rubric_=r, reviewer=None)
        empathy = [o for o in score_history([agent.id]) if o.criterion == "empathy"]
        assert {(o.evaluation_id, o.source, o.score) for o in empathy} == {
            (f"i{calls[0].id}", "ai", 0.1),
            (f"i{calls[0].id}", "human", 0.8),
            (f"i{calls[1].id}", "ai", 0.1),
        }
        standing = {s.criterion: s for s in training.standings(score_history([agent.id]))}
        assert standing["empathy"].human == 1


def test_recommendations_name_the_weak_criterion_and_the_calls(app: Flask) -> None:
    with app.app_context():
        r = rubric()
        catalog()
        team = make_team()
        weak, fine, new = make_agent(team), make_agent(team), make_agent(team)
        calls = weak_history(weak, r, n=4)
        weak_history(fine, r, n=4, empathy=0.95)
        weak_history(new, r, n=2)  # too little data to conclude anything
        found = recommendations(team.id)
        assert [(s.agent.id, s.module.slug) for s in found] == [(weak.id, MODULE)]
        assert found[0].criteria == ("empathy",)
        assert "empathy 0.10 over the last 4 calls" in found[0].reason
        assert set(found[0].interaction_ids) == {c.id for c in calls}
        assert recommendations(make_team().id) == []


def test_trainer_assigns_recommendations_in_bulk(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        r = rubric()
        catalog()
        agent = make_agent(name="Weak Wendy")
        calls = weak_history(agent, r, n=4)
        evaluation = evaluate(calls[-1], {"empathy": 0.2}, rubric_=r, reviewer=None)
        email = make_user(Role.TRAINER).email
        module_id, agent_id = _module().id, agent.id
        evaluation_id = evaluation.id
        db.session.commit()
    login(client, email)
    page = client.get("/coaching/recommendations").get_data(as_text=True)
    assert "Weak Wendy" in page and "Acknowledging frustration" in page
    response = client.post(
        "/coaching/recommendations",
        data={
            "csrf_token": csrf_token(client, "/coaching/recommendations"),
            "picks": [f"{agent_id}:{module_id}"],
            "due_on": (utcnow() + timedelta(days=7)).strftime("%Y-%m-%d"),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        (assignment,) = db.session.scalars(select(Assignment)).all()
        assert assignment.agent_id == agent_id and assignment.module_id == module_id
        assert assignment.source == "recommended" and "empathy" in assignment.reason
        assert assignment.status is AssignmentStatus.ASSIGNED and assignment.due_at is not None
        assert [e.id for e in assignment.evaluations] == [evaluation_id]
        assert len(assignment.trigger_interaction_ids or []) == 4
        # the open assignment blocks the same module; the next one training empathy is offered
        assert [s.module.slug for s in recommendations()] == ["handling-an-angry-customer"]


def test_manual_assignment_skips_open_duplicates(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        catalog()
        a, b = make_agent(), make_agent()
        email = make_user(Role.TRAINER).email
        module_id, ids = _module("required-disclosures").id, [a.id, b.id]
        db.session.commit()
    login(client, email)
    for expected in ("2 module(s) assigned", "0 module(s) assigned"):
        response = client.post(
            "/coaching/assign",
            data={
                "csrf_token": csrf_token(client, "/coaching/assign"),
                "agent_ids": [str(i) for i in ids],
                "module_id": str(module_id),
            },
            follow_redirects=True,
        )
        assert expected in response.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(Assignment)).all()
        assert sorted(a.agent_id for a in rows) == sorted(ids)
        assert {a.source for a in rows} == {"manual"}


@pytest.fixture
def assigned(app: Flask) -> dict[str, object]:
    with app.app_context():
        catalog()
        agent = make_agent()
        email = make_user(Role.AGENT, agent=agent).email
        (assignment,) = assign(
            [NewAssignment(agent.id, _module().id, utcnow() + timedelta(days=2))], None
        )
        db.session.commit()
        return {"email": email, "id": assignment.id, "agent_id": agent.id}


def _answers(correct: bool) -> dict[str, str]:
    quiz = training.load_catalog().get(MODULE).quiz
    return {
        f"q_{q.id}": str(q.answer if correct else (q.answer + 1) % len(q.choices))
        for q in quiz.questions
    }


def test_agent_reads_fails_then_passes(app: Flask, client: FlaskClient, assigned: dict) -> None:
    login(client, assigned["email"])
    url = f"/coaching/assignments/{assigned['id']}"
    index = client.get("/coaching/").get_data(as_text=True)
    assert "Acknowledging frustration" in index and "is due" in index  # the reminder
    page = client.get(url).get_data(as_text=True)
    assert "Most frustrated customers are not angry at you" in page
    with app.app_context():
        assert db.session.get(Assignment, assigned["id"]).status is AssignmentStatus.IN_PROGRESS
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **_answers(False)})
    assert response.status_code == 200
    assert "0 of 4 right" in response.get_data(as_text=True)
    with app.app_context():
        assignment = db.session.get(Assignment, assigned["id"])
        assert assignment.status is AssignmentStatus.IN_PROGRESS
        assert [a.passed for a in assignment.attempts] == [False]
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), **_answers(True)}, follow_redirects=True
    )
    assert "Module completed" in response.get_data(as_text=True)
    with app.app_context():
        assignment = db.session.get(Assignment, assigned["id"])
        assert assignment.status is AssignmentStatus.COMPLETED and assignment.completed_at
        assert [a.passed for a in assignment.attempts] == [False, True]
        assert assignment.attempts[1].score == 1.0
    again = client.post(
        url, data={"csrf_token": csrf_token(client, url), **_answers(False)}, follow_redirects=True
    )
    assert "already completed" in again.get_data(as_text=True)


def test_unanswered_questions_are_not_graded(
    app: Flask, client: FlaskClient, assigned: dict
) -> None:
    login(client, assigned["email"])
    url = f"/coaching/assignments/{assigned['id']}"
    answers = _answers(True)
    answers.pop(next(iter(answers)))
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **answers})
    assert "Answer this question." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, assigned["id"]).attempts == []


def test_assignment_and_due_date_reach_the_agents_inbox(app: Flask, assigned: dict) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == assigned["email"]))
        (new,) = notifications_for(user)
        assert new.kind == "coaching.assigned" and "Acknowledging frustration" in new.message
        assert new.link == f"/coaching/assignments/{assigned['id']}"
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0  # once per assignment
        assert [n.kind for n in notifications_for(user)] == ["coaching.due", "coaching.assigned"]


def test_late_assignments_become_overdue_and_remind_coaches(app: Flask, assigned: dict) -> None:
    with app.app_context():
        assert refresh_overdue(utcnow() + timedelta(days=1)) == 0
        assert refresh_overdue(utcnow() + timedelta(days=3)) == 1
        assignment = db.session.get(Assignment, assigned["id"])
        assert assignment.status is AssignmentStatus.OVERDUE
        trainer = make_user(Role.TRAINER)
        assert [a.id for a in reminders_for(trainer)] == [assigned["id"]]


def test_auto_assign_follows_the_policy(app: Flask) -> None:
    with app.app_context():
        r = rubric()
        catalog()
        agent = make_agent()
        weak_history(agent, r, n=4)
        trainer = make_user(Role.TRAINER)
        assert run_auto_assign() == []
        save_policy(PolicyData(True, 0.6, 6, 3, 0.5, 10), trainer)
        (created,) = run_auto_assign()
        assert created.source == "auto" and created.agent_id == agent.id
        assert created.due_at is not None
        assert created.due_at - utcnow() > timedelta(days=9)
        again = run_auto_assign()  # the open module is not doubled
        assert created.module_id not in {a.module_id for a in again}
        with pytest.raises(ValueError, match="min_evaluations"):
            save_policy(PolicyData(True, 0.6, 2, 3, 0.5, 10), trainer)


def test_policy_form_and_sweep_command(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        email = make_user(Role.TRAINER).email
        db.session.commit()
    login(client, email)
    data = {
        "csrf_token": csrf_token(client, "/coaching/policy"),
        "is_auto_assign": "y",
        "threshold": "0.5",
        "last_n": "2",
        "min_evaluations": "3",
        "ai_weight": "0.5",
        "due_days": "14",
    }
    response = client.post("/coaching/policy", data=data)
    assert response.status_code == 200
    assert "min_evaluations must be within 1..last_n" in response.get_data(as_text=True)
    response = client.post("/coaching/policy", data={**data, "last_n": "6"})
    assert response.status_code == 302
    result = app.test_cli_runner().invoke(args=["coaching-sweep"])
    assert result.exit_code == 0 and "0 auto-assigned; 0 reminder(s) sent" in result.output
