"""The review list's full-text search and the scorecard's optimistic lock on real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask

import qa_app.models  # noqa: F401  (loads every model, and the blueprints, in a working order)
import scoring
from qa_app.auth.models import Role
from qa_app.extensions import db
from qa_app.reviews.search import InteractionFilters, search_interactions
from qa_app.reviews.services import Conflict, ItemInput, ScorecardInput, save_scorecard
from qa_app.reviews.suggestions import score_interaction, store_rubric
from tests.factories import make_agent, make_interaction, make_user
from tests.qa_app.conftest import fresh_postgres_database, make_test_app

pytestmark = pytest.mark.integration

PG_URL = os.environ.get(
    "CALLQA_TEST_REVIEWS_PG_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/callqa_reviews_test",
)


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = fresh_postgres_database(PG_URL)
    app = make_test_app(url, Path(tmp_path_factory.mktemp("pg")))
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_full_text_search_on_postgres(pg_app: Flask) -> None:
    with pg_app.app_context():
        agent = make_agent()
        reviewer = make_user(Role.REVIEWER)
        hit = make_interaction(agent, turns=(("customer", "I was charged twice for my invoice"),))
        miss = make_interaction(agent, turns=(("customer", "My router is broken"),))
        db.session.commit()

        def found(q: str) -> set[int]:
            query = search_interactions(reviewer, InteractionFilters(q=q))
            return {i.id for i in db.session.scalars(query)}

        assert found("charged invoice") == {hit.id}
        assert found('"charged twice"') == {hit.id}  # websearch syntax: a phrase
        assert found("router -invoice") == {miss.id}
        assert found("refund") == set()


def test_two_sessions_saving_one_evaluation_conflict_on_postgres(pg_app: Flask) -> None:
    with pg_app.app_context():
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        agent = make_agent()
        first, second = make_user(Role.REVIEWER), make_user(Role.REVIEWER)
        interaction = make_interaction(agent, turns=(("agent", "Hello, Northwind."),))
        score_interaction(interaction, rubric)
        db.session.commit()
        criterion = rubric.criteria[0].id
        evaluation = save_scorecard(
            interaction, rubric, first, ScorecardInput(version=None, items=())
        )
        db.session.commit()
        loaded_at = evaluation.version
        save_scorecard(
            interaction,
            rubric,
            first,
            ScorecardInput(version=loaded_at, items=(ItemInput(criterion, 0.4),)),
        )
        db.session.commit()
        with pytest.raises(Conflict):
            save_scorecard(
                interaction,
                rubric,
                second,
                ScorecardInput(version=loaded_at, items=(ItemInput(criterion, 0.9),)),
            )
        db.session.rollback()
        db.session.refresh(evaluation)
        item = next(i for i in evaluation.items if i.criterion_id == criterion)
        assert item.score == pytest.approx(0.4)
