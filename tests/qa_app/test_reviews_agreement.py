"""AI vs human agreement: the statistic itself and the report over submitted evaluations."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

import scoring
from qa_app.agents.models import Team
from qa_app.auth.models import Role
from qa_app.extensions import db
from qa_app.reviews.agreement import agreement_report, bin_score, cohens_kappa
from qa_app.reviews.models import Evaluation, EvaluationItem, EvaluationStatus
from qa_app.reviews.suggestions import store_rubric
from qa_app.reviews.trends import agent_trends
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction, make_user
from tests.qa_app.conftest import login


def test_kappa_matches_a_worked_example() -> None:
    # observed 0.75, chance 0.5 -> 0.5
    assert cohens_kappa([(0, 0), (0, 0), (1, 1), (1, 0)]) == pytest.approx(0.5)
    assert cohens_kappa([(2, 2), (0, 0), (1, 1)]) == pytest.approx(1.0)
    assert cohens_kappa([(0, 1), (1, 0)]) == pytest.approx(-1.0)
    assert cohens_kappa([]) is None
    assert cohens_kappa([(1, 1), (1, 1)]) == 1.0


def test_bins() -> None:
    assert [bin_score(s) for s in (0.0, 0.49, 0.5, 0.79, 0.8, 1.0)] == [0, 0, 1, 1, 2, 2]


def test_report_uses_submitted_evaluations_only(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        criterion = rubric.criteria[0]
        reviewer = make_user(Role.REVIEWER)
        agent = make_agent()
        pairs = [(1.0, 1.0), (1.0, 0.9), (0.2, 0.3), (0.6, 0.6), (1.0, 0.4), (0.9, 1.0)]
        for n, (ai, human) in enumerate([*pairs, (0.0, 1.0)]):
            status = EvaluationStatus.DRAFT if n == len(pairs) else EvaluationStatus.SUBMITTED
            evaluation = Evaluation(
                interaction=make_interaction(agent), rubric=rubric, reviewer=reviewer, status=status
            )
            evaluation.items.append(EvaluationItem(criterion=criterion, ai_score=ai, score=human))
            db.session.add(evaluation)
        db.session.commit()
        (row,) = agreement_report()
        assert row.key == criterion.key and row.pairs == len(pairs)  # the draft is left out
        assert row.mae == pytest.approx(100 * (0 + 0.1 + 0.1 + 0 + 0.6 + 0.1) / 6)
        binned = [(bin_score(a), bin_score(h)) for a, h in pairs]
        assert row.kappa == pytest.approx(cohens_kappa(binned))
        email = reviewer.email
    login(client, email)
    page = client.get("/reviews/agreement").get_data(as_text=True)
    assert "<svg" in page and criterion.label in page and f"{row.kappa:.2f}" in page


def test_agent_trend_against_the_team_average(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        criterion = rubric.criteria[0]
        team = Team(name="Trend team")
        me, mate, stranger = make_agent(team), make_agent(team), make_agent()
        user = make_user(Role.AGENT, agent=me)
        reviewer = make_user(Role.REVIEWER)
        rows = [(me, 0.5, 50.0), (me, 0.9, 90.0), (mate, 0.2, 20.0), (stranger, 0.0, 0.0)]
        for n, (agent, score, total) in enumerate(rows):
            evaluation = Evaluation(
                interaction=make_interaction(agent),
                rubric=rubric,
                reviewer=reviewer,
                status=EvaluationStatus.SUBMITTED,
                submitted_at=utcnow().replace(microsecond=n),
                total=total,
            )
            evaluation.items.append(EvaluationItem(criterion=criterion, score=score))
            db.session.add(evaluation)
        db.session.commit()
        total, crit = agent_trends(user)
        assert total.label == "Total" and total.values == (50.0, 90.0)
        assert total.team_average == pytest.approx((50 + 90 + 20) / 3)  # the stranger is out
        assert crit.label == criterion.label and crit.values == pytest.approx((50.0, 90.0))
        assert crit.team_average == pytest.approx(100 * (0.5 + 0.9 + 0.2) / 3)
        assert total.points() == "0.0,20.0 100.0,4.0"
        email = user.email
    login(client, email)
    page = client.get("/reviews/mine").get_data(as_text=True)
    assert 'class="sparkline"' in page and "team 53" in page
