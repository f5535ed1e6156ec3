"""Sampling rules, reproducible draws, reviewer queues and coverage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import scoring
from qa_app.admin.models import AuditEvent
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction, Status
from qa_app.extensions import db
from qa_app.reviews.models import Evaluation, EvaluationStatus, QueueEntry, SamplingRule
from qa_app.reviews.sampling import NewRule, candidates, coverage, create_rule, draw, pick
from qa_app.reviews.suggestions import store_rubric
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction, make_team, make_user
from tests.qa_app.conftest import csrf_token, login


@pytest.fixture
def floor(app: Flask) -> dict:
    """Two teams; Alex has 6 recent calls, Bea 3, plus one old and one unfinished call."""
    with app.app_context():
        billing, tech = make_team("Billing"), make_team("Tech")
        alex, bea = make_agent(billing, "Alex"), make_agent(tech, "Bea")
        now = utcnow()
        calls = []
        for n in range(6):
            i = make_interaction(alex, started_at=now - timedelta(hours=n + 1))
            i.ai_total = 40.0 + 10 * n
            calls.append(i)
        for n in range(3):
            i = make_interaction(bea, started_at=now - timedelta(hours=n + 1))
            i.ai_total = 90.0
            i.metrics = {"customer_sentiment_end": -0.6 if n == 0 else 0.4}
            calls.append(i)
        calls[0].ai_auto_fail = True
        make_interaction(alex, started_at=now - timedelta(days=30))  # outside the window
        make_interaction(alex, status=Status.TRANSCRIBING)  # not ready
        reviewer, other = make_user(Role.REVIEWER), make_user(Role.REVIEWER)
        db.session.commit()
        return {
            "reviewer": reviewer.id,
            "reviewer_email": reviewer.email,
            "other_email": other.email,
            "alex": [c.id for c in calls[:6]],
            "bea": [c.id for c in calls[6:]],
            "tech": tech.id,
        }


def _rule(floor: dict, kind: str, **kw) -> SamplingRule:  # type: ignore[no-untyped-def]
    actor = db.session.get(User, floor["reviewer"])
    return create_rule(NewRule(queue_name=kw.pop("queue", "Weekly"), kind=kind, **kw), actor)


def test_random_draw_is_reproducible_from_its_seed(app: Flask, floor: dict) -> None:
    with app.app_context():
        rule = _rule(floor, "random_per_agent", per_agent=2)
        now = utcnow()
        pool = candidates(rule, now - timedelta(days=7), now)
        assert sorted(i.id for i in pool) == sorted(floor["alex"] + floor["bea"])
        expected = [i.id for i in pick(rule, pool, 1234)]
        assert expected == [i.id for i in pick(rule, pool, 1234)]
        samples = {tuple(i.id for i in pick(rule, pool, seed)) for seed in range(20)}
        assert len(samples) > 1  # the seed matters
        result = draw(rule, None, now=now, seed=1234)
        assert list(result.picked) == expected
        assert len(set(result.picked) & set(floor["alex"])) == 2
        assert len(set(result.picked) & set(floor["bea"])) == 2
        entries = db.session.scalars(select(QueueEntry)).all()
        assert {e.draw_seed for e in entries} == {1234}
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sampling.draw"))
        assert audit.after["seed"] == 1234 and audit.after["picked"] == expected
        assert audit.after["candidates"] == 9
        again = draw(rule, None, now=now)  # what is queued is not drawn twice
        assert not set(again.picked) & set(result.picked)


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        ("auto_fail", {}, lambda f: {f["alex"][0]}),
        ("ai_below", {"threshold": 60.0}, lambda f: set(f["alex"][:2])),
        ("negative_end", {}, lambda f: {f["bea"][0]}),
        ("random_per_agent", {"per_agent": 5, "team_id": "tech"}, lambda f: set(f["bea"])),
    ],
)
def test_rule_kinds_select_what_they_say(
    app: Flask, floor: dict, kind: str, params: dict, expected
) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        if params.get("team_id") == "tech":
            params = {**params, "team_id": floor["tech"]}
        result = draw(_rule(floor, kind, **params), None, seed=7)
        assert set(result.picked) == expected(floor)


def test_reviewed_calls_are_not_drawn(app: Flask, floor: dict) -> None:
    with app.app_context():
        rule = _rule(floor, "auto_fail")
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        db.session.add(
            Evaluation(
                interaction=db.session.get(Interaction, floor["alex"][0]),
                rubric=rubric,
                reviewer_id=floor["reviewer"],
                status=EvaluationStatus.SUBMITTED,
            )
        )
        db.session.flush()
        assert draw(rule, None).picked == ()
        rows = {c.agent: (c.reviewed, c.total) for c in coverage(7)}
        assert rows == {"Alex": (1, 6), "Bea": (0, 3)}


def test_rules_drawn_and_queued_through_the_pages(
    app: Flask, client: FlaskClient, floor: dict
) -> None:
    login(client, floor["reviewer_email"])
    token = csrf_token(client, "/reviews/sampling")
    response = client.post(
        "/reviews/sampling",
        data={
            "csrf_token": token,
            "queue_name": "Riley's auto-fails",
            "kind": "auto_fail",
            "team_id": "0",
            "reviewer_id": str(floor["reviewer"]),
            "per_agent": "2",
            "threshold": "60",
            "days": "7",
        },
    )
    assert response.status_code == 302
    page = client.get("/reviews/sampling").get_data(as_text=True)
    assert "Riley&#39;s auto-fails" in page
    with app.app_context():
        rule_id = db.session.scalar(select(QueueEntry.id))  # none yet
        assert rule_id is None
        rule_id = db.session.scalar(select(SamplingRule.id))
    drawn = client.post(
        f"/reviews/sampling/{rule_id}/draw", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Drew 1 of 1 candidates" in drawn
    queue = client.get("/reviews/queue").get_data(as_text=True)
    assert f"#{floor['alex'][0]}<" in queue and "seed" in queue
    client.post("/logout", data={"csrf_token": token})
    login(client, floor["other_email"])  # someone else's queue stays theirs
    assert f"#{floor['alex'][0]}<" not in client.get("/reviews/queue").get_data(as_text=True)
    coverage_page = client.get("/reviews/coverage?days=7").get_data(as_text=True)
    assert "coverage-bar" in coverage_page and "Alex" in coverage_page


def test_draw_samples_command(app: Flask, floor: dict) -> None:
    with app.app_context():
        _rule(floor, "auto_fail")
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["draw-samples"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 drawn (seed " in result.output
