"""Mood feeds coaching: calls that end worse than they began are a weak area, with examples."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qa_app.auth.models import Role
from qa_app.calls.models import Interaction
from qa_app.coaching.recommendations import mood_history, mood_value, recommendations
from qa_app.extensions import db
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction, make_user
from tests.qa_app.coaching_helpers import catalog
from tests.qa_app.conftest import login


def test_mood_value() -> None:
    assert mood_value("better", "positive") == 1.0
    assert mood_value("worse", "negative") == 0.0
    assert mood_value("same", "neutral") == 1.0
    assert mood_value("same", "negative") == 0.5
    assert mood_value("unknown", None) is None


def _calls(agent, trajectories: list[str]) -> list[Interaction]:
    now = utcnow()
    calls = []
    for n, trajectory in enumerate(trajectories):
        call = make_interaction(agent, started_at=now - timedelta(days=len(trajectories) - n))
        call.mood_trajectory = trajectory
        call.mood_start = "neutral"
        call.mood_end = {"better": "positive", "worse": "negative", "same": "neutral"}[trajectory]
        calls.append(call)
    db.session.flush()
    return calls


@pytest.fixture
def floor(app: Flask) -> dict:
    with app.app_context():
        catalog()
        sour, sweet, new = make_agent(name="Sour"), make_agent(name="Sweet"), make_agent(name="New")
        sour_calls = _calls(sour, ["worse", "better", "worse", "worse", "better", "worse"])
        _calls(sweet, ["better", "same", "better", "better"])
        _calls(new, ["worse", "worse"])  # too few calls to conclude anything
        trainer = make_user(Role.TRAINER).email
        db.session.commit()
        return {
            "sour": sour.id,
            "sweet": sweet.id,
            "new": new.id,
            "worse": [c.id for c in sour_calls if c.mood_trajectory == "worse"],
            "better": [c.id for c in sour_calls if c.mood_trajectory == "better"],
            "trainer": trainer,
        }


def test_calls_ending_worse_become_a_weak_area_with_those_calls(app: Flask, floor: dict) -> None:
    with app.app_context():
        history = mood_history([floor["sour"]])
        assert sorted(o.score for o in history) == [0, 0, 0, 0, 1, 1]
        found = recommendations()
        [mood] = [s for s in found if "mood_trajectory" in s.criteria]
        assert mood.agent.id == floor["sour"]
        assert mood.module.slug == "handling-an-angry-customer"
        assert sorted(mood.interaction_ids) == sorted(floor["worse"])
        assert not set(mood.interaction_ids) & set(floor["better"])
        assert "customers ended 4 of the last 6 calls in a worse mood than they began" in (
            mood.reason
        )
        assert mood.gap == pytest.approx(0.6 - 2 / 6, abs=1e-6)
        assert {s.agent.id for s in found} == {floor["sour"]}  # Sweet is fine, New has 2 calls


def test_trainer_sees_the_mood_recommendation(client: FlaskClient, floor: dict) -> None:
    login(client, floor["trainer"])
    page = client.get("/coaching/recommendations").get_data(as_text=True)
    assert "Handling an angry customer" in page
    assert "mood_trajectory" in page
    assert f"#{floor['worse'][-1]}<" in page
