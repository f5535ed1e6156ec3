"""Each role's home page; here the analyst's: taxonomy coverage and topics, never evaluations."""

from __future__ import annotations

from flask import Flask

import scoring
from qa_app.auth.models import Role
from qa_app.extensions import db
from qa_app.tagging.ingest import analyse_interactions
from qa_app.tagging.library import store_taxonomy
from qa_app.tagging.models import TaxonomyStatus
from tests.factories import make_interaction, make_user
from tests.qa_app.conftest import login


def _analyst_page(app: Flask) -> str:
    with app.app_context():
        user = make_user(Role.ANALYST)
        db.session.commit()
        email = user.email
    client = app.test_client()
    login(client, email)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_without_a_published_taxonomy_the_analyst_is_told_nothing_is_tagged(app: Flask) -> None:
    page = _analyst_page(app)
    assert "Topics and mood" in page
    assert "No taxonomy is published yet" in page
    assert 'href="/taxonomy/"' in page and 'href="/analytics/"' in page
    assert "Reviews</a>" not in page and "Coaching</a>" not in page


def test_the_analyst_sees_coverage_top_tags_and_what_matched_nothing(app: Flask) -> None:
    with app.app_context():
        store_taxonomy(
            scoring.demo_taxonomy(), name="Northwind", version="v1",
            status=TaxonomyStatus.PUBLISHED,
        )  # fmt: skip
        calls = [
            make_interaction(turns=(("customer", "I was charged twice for my invoice."),)),
            make_interaction(turns=(("customer", "I want to cancel my contract."),)),
            make_interaction(turns=(("customer", "Lovely weather for ducks today."),)),
        ]
        make_interaction(turns=(("customer", "Not analysed yet."),))
        analyse_interactions(calls)
        db.session.commit()
    page = _analyst_page(app)
    assert "Northwind" in page and "v1" in page
    assert "1 recent interaction matched no tag" in page
    assert "67%" in page  # two of three tagged
    assert "Billing error" in page and "Account change" in page
    assert 'href="/calls/?tag=billing_error"' in page
    assert "evaluation" not in page.lower() and "AI score" not in page
