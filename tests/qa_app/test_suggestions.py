"""AI suggestions in the app: a repeat contact from the same customer lowers the earlier call's
resolution, with evidence that says why."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

import scoring
from qa_app.extensions import db
from qa_app.reviews.models import Criterion, ScoreSuggestion
from qa_app.reviews.suggestions import score_interaction, store_rubric
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction

RESOLVED = (
    ("agent", "Thank you for calling, this is Sam. This call may be recorded."),
    ("customer", "My invoice shows a charge twice."),
    ("agent", "I've refunded the duplicate charge, it will arrive in three days."),
    ("customer", "Great, that solves it, thank you."),
    ("agent", "You're welcome, anything else? Have a good day."),
)


def _resolution(interaction_id: int) -> ScoreSuggestion:
    return db.session.scalar(
        select(ScoreSuggestion)
        .join(Criterion)
        .where(ScoreSuggestion.interaction_id == interaction_id, Criterion.key == "resolution")
    )


def test_repeat_contact_lowers_the_earlier_resolution(app: Flask) -> None:
    with app.app_context():
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        agent = make_agent()
        start = utcnow() - timedelta(days=5)
        first = make_interaction(agent, started_at=start, turns=RESOLVED)
        first.customer_ref = "CUST-1"
        other = make_interaction(agent, started_at=start, turns=RESOLVED)
        other.customer_ref = "CUST-2"
        score_interaction(first, rubric)
        score_interaction(other, rubric)
        before = _resolution(first.id).score

        again = make_interaction(agent, started_at=start + timedelta(days=2), turns=RESOLVED)
        again.customer_ref = "CUST-1"
        score_interaction(again, rubric)

        after = _resolution(first.id)
        assert after.score < before
        assert any("contacted again after 2 days" in e["reason"] for e in after.evidence)
        assert _resolution(other.id).score == before  # another customer is untouched
        assert _resolution(again.id).score == before  # the latest contact has no repeat yet


def test_a_repeat_outside_the_window_changes_nothing(app: Flask) -> None:
    with app.app_context():
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        agent = make_agent()
        start = utcnow() - timedelta(days=40)
        first = make_interaction(agent, started_at=start, turns=RESOLVED)
        first.customer_ref = "CUST-9"
        score_interaction(first, rubric)
        before = _resolution(first.id).score
        later = make_interaction(agent, started_at=start + timedelta(days=20), turns=RESOLVED)
        later.customer_ref = "CUST-9"
        score_interaction(later, rubric)
        assert _resolution(first.id).score == before
