"""Full-text search over redacted transcripts: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Run on both: ``CALLQA_TEST_DATABASE_URL=postgresql+psycopg://... pytest this_file``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from qa_app.auth.models import Role
from qa_app.calls.models import Channel, Segment
from qa_app.extensions import db
from qa_app.reviews import search
from qa_app.reviews.search import (
    InteractionFilters,
    TextQuery,
    find_interactions,
    fts5_expression,
    parse_query,
    search_interactions,
    snippets,
)
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction, make_team, make_user
from tests.qa_app.conftest import login

HOSTILE = [
    '"',
    '""',
    '"unclosed phrase',
    "*",
    "refund*",
    "OR",
    "or refund",
    "refund OR",
    "-",
    "--refund",
    "-refund",
    "NOT",
    "refund NOT",
    "AND AND",
    "NEAR(refund charge)",
    "redacted_text:refund",
    "^refund",
    "(refund",
    "refund)",
    "{refund}",
    "'; DROP TABLE segments; --",
    "a & b | !c",
    "<script>alert(1)</script>",
    "\\",
    "%_",
    "\x00refund",
    "émigré naïve",
    "x" * 400,
]


@pytest.fixture
def corpus(app: Flask) -> dict[str, int | str]:
    with app.app_context():
        team = make_team("Care")
        alex, bea = make_agent(team, "Alex"), make_agent(team, "Bea")
        now = utcnow()
        double = make_interaction(
            alex,
            started_at=now - timedelta(days=2),
            turns=(
                ("agent", "Thanks for calling"),
                ("customer", "I was charged twice and I want a refund for the double charge"),
                ("customer", "The refund must come before Friday, refund it please"),
            ),
        )
        refunds = make_interaction(
            bea,
            started_at=now - timedelta(days=1),
            turns=(("customer", "Are refunds possible for annual plans?"),),
        )
        router = make_interaction(
            bea,
            started_at=now,
            turns=(("customer", "My router <b>keeps</b> dropping & my card [CARD] was charged"),),
        )
        router.channel = Channel.CHAT
        secret = router.transcript.segments[0]
        secret.text = "My router keeps dropping, card 4111 1111 1111 1111 was charged"
        reviewer = make_user(Role.REVIEWER)
        bea_user = make_user(Role.AGENT, agent=bea)
        db.session.commit()
        return {
            "reviewer": reviewer.email,
            "bea_user": bea_user.id,
            "reviewer_id": reviewer.id,
            "double": double.id,
            "refunds": refunds.id,
            "router": router.id,
            "alex": alex.id,
        }


def _page(client: FlaskClient, query: str) -> tuple[int, str]:
    response = client.get(f"/reviews/interactions?{query}")
    return response.status_code, response.get_data(as_text=True)


def _ids(client: FlaskClient, query: str) -> list[int]:
    status, page = _page(client, query)
    assert status == 200
    return [int(n) for n in re.findall(r'href="/reviews/interactions/(\d+)">#', page)]


def test_a_word_finds_its_inflections_best_match_first(client: FlaskClient, corpus: dict) -> None:
    login(client, corpus["reviewer"])
    # "refunds" and "refund" share a stem; the call that says it three times ranks first
    assert _ids(client, "q=refund") == [corpus["double"], corpus["refunds"]]
    assert set(_ids(client, "q=refunds")) == {corpus["double"], corpus["refunds"]}
    assert _ids(client, "q=router") == [corpus["router"]]
    assert _ids(client, "q=warranty") == []


def test_a_phrase_needs_its_words_in_order(client: FlaskClient, corpus: dict) -> None:
    login(client, corpus["reviewer"])
    assert _ids(client, 'q="double charge"') == [corpus["double"]]
    assert _ids(client, 'q="charge double"') == []
    assert _ids(client, "q=charged+router") == [corpus["router"]]  # every word must occur


def test_or_and_minus_follow_web_search_syntax(client: FlaskClient, corpus: dict) -> None:
    login(client, corpus["reviewer"])
    assert set(_ids(client, "q=router+or+annual")) == {corpus["router"], corpus["refunds"]}
    assert _ids(client, "q=charged+-router") == [corpus["double"]]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_never_breaks_the_page(client: FlaskClient, corpus: dict, q: str) -> None:
    login(client, corpus["reviewer"])
    status, page = _page(client, "q=" + q.replace("%", "%25").replace("&", "%26"))
    assert status == 200
    assert "<script>alert(1)</script>" not in page


def test_hostile_operators_are_searched_as_words(client: FlaskClient, corpus: dict) -> None:
    login(client, corpus["reviewer"])
    assert _ids(client, "q=refund*") == [corpus["double"], corpus["refunds"]]  # no prefix magic
    assert _ids(client, "q=NEAR(double+charge)") == []  # "near" is a word to find here
    assert _ids(client, "q=%5Edouble+charge%3A") == [corpus["double"]]
    assert _ids(client, "q=%28refund") == [corpus["double"], corpus["refunds"]]


def test_search_reads_redacted_text_only(client: FlaskClient, corpus: dict) -> None:
    login(client, corpus["reviewer"])
    assert _ids(client, "q=4111") == []
    assert _ids(client, "q=card") == [corpus["router"]]  # "[CARD]" is in the redacted text


def test_snippet_highlights_the_match_and_escapes_the_text(
    client: FlaskClient, corpus: dict
) -> None:
    login(client, corpus["reviewer"])
    _status, page = _page(client, "q=router")
    assert "<mark>router</mark>" in page.lower()
    assert "<b>keeps</b>" not in page and "keeps" in page  # escaped (PostgreSQL drops tags)
    assert "4111" not in page


def test_snippets_pick_each_calls_best_line(app: Flask, corpus: dict) -> None:
    with app.app_context():
        found = snippets([corpus["double"], corpus["router"]], "refund")
        assert set(found) == {corpus["double"]}
        assert str(found[corpus["double"]]).count("<mark>") >= 1
        assert snippets([], "refund") == {} and snippets([corpus["double"]], "") == {}


def test_filters_still_apply_while_searching(client: FlaskClient, corpus: dict) -> None:
    login(client, corpus["reviewer"])
    assert _ids(client, f"q=refund&agent={corpus['alex']}") == [corpus["double"]]
    assert _ids(client, "q=charged&channel=chat") == [corpus["router"]]
    assert _ids(client, "q=refund&sort=newest") == [corpus["refunds"], corpus["double"]]


def test_an_agent_searches_only_their_own_calls(app: Flask, corpus: dict) -> None:
    from qa_app.auth.models import User

    with app.app_context():
        bea = db.session.get(User, corpus["bea_user"])
        reviewer = db.session.get(User, corpus["reviewer_id"])

        def found(user: User, q: str) -> set[int]:
            return set(db.session.scalars(search_interactions(user, InteractionFilters(q=q))))

        assert {i.id for i in found(bea, "refund")} == {corpus["refunds"]}
        assert {i.id for i in found(bea, "double")} == set()
        assert {i.id for i in found(reviewer, "double")} == {corpus["double"]}


def test_the_index_follows_updates_and_deletes(app: Flask, corpus: dict) -> None:
    with app.app_context():
        reviewer = make_user(Role.REVIEWER)

        def found(q: str) -> set[int]:
            query = search_interactions(reviewer, InteractionFilters(q=q))
            return {i.id for i in db.session.scalars(query)}

        row = db.session.scalar(select(Segment).where(Segment.redacted_text.like("%router%")))
        row.redacted_text = "The modem light blinks orange"
        db.session.flush()
        assert found("modem") == {corpus["router"]}
        assert found("router") == set()
        db.session.execute(delete(Segment).where(Segment.id == row.id))
        db.session.flush()
        assert found("modem") == set()
        added = make_interaction(turns=(("customer", "Where is my parcel?"),))
        assert found("parcel") == {added.id}


def test_parse_query_reads_web_search_syntax() -> None:
    assert parse_query('refund "double charge" or rebate -router') == TextQuery(
        groups=(("refund",), ("double charge", "rebate")), excluded=("router",)
    )
    assert parse_query('* - OR " ').groups == ()
    assert not parse_query("%").has_words


def test_fts5_expression_quotes_every_term() -> None:
    expression = fts5_expression(parse_query('say "hi" NEAR(a b) -x"y'))
    assert expression == '("say" AND "hi" AND "NEAR(a" AND "b)") NOT "x""y"'
    assert fts5_expression(parse_query('he said ""quoted""')).count('"') % 2 == 0


def test_many_matches_are_counted_to_a_cap_and_listed_newest_first(
    client: FlaskClient, corpus: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, corpus["reviewer"])
    monkeypatch.setattr(search, "SEARCH_COUNT_CAP", 1)
    _status, page = _page(client, "q=refund")
    assert "over 1 found" in page and "listed newest first" in page
    assert _ids(client, "q=refund") == [corpus["refunds"], corpus["double"]]  # not ranked
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    _status, page = _page(client, "")
    assert "over 2 found" in page
    _status, page = _page(client, "page=9")  # past the end: an empty page, not an error
    assert "No interaction matches" in page


def test_ranked_results_page_through_in_rank_order(app: Flask, corpus: dict) -> None:
    from qa_app.auth.models import User

    with app.app_context():
        reviewer = db.session.get(User, corpus["reviewer_id"])
        filters = InteractionFilters.from_args({"q": "refund"})
        first = find_interactions(reviewer, filters, page=1, per_page=1)
        second = find_interactions(reviewer, filters, page=2, per_page=1)
        assert first.ranked and first.total == 2 and first.pages == 2 and first.has_next
        assert [i.id for i in first.items + second.items] == [corpus["double"], corpus["refunds"]]
        assert not second.has_next and second.has_prev
