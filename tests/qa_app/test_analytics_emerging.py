"""Emerging topics: clustering of untagged history on stored vectors, growth, page and notice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from qa_app.analytics import emerging
from qa_app.analytics.services import Filters
from qa_app.auth.models import Role
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.tagging.library import pack_vectors
from qa_app.tagging.models import SegmentEmbeddings
from qa_app.timeutil import utcnow
from scoring import encoder
from tests.factories import make_agent, make_interaction, make_user
from tests.qa_app.conftest import login

LOCKER = [
    "the parcel locker code you texted me does not open the locker",
    "my locker pin is rejected at the parcel station",
    "the parcel locker will not open with the code I got",
    "I typed the locker code three times and the door stays shut",
    "your pickup locker says my code is invalid",
    "the collection locker code from the sms doesn't work",
    "parcel locker door won't open with my pickup code",
    "code for the parcel locker keeps failing",
]
APP = [
    "the app crashes every time I try to log in",
    "your mobile app closes as soon as I sign in",
    "the app keeps crashing on the login screen",
    "since the update the app shuts down when I log in",
    "I can't sign in, the app just crashes",
    "login makes the app crash on my phone",
]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    emerging.clear_cache()
    yield
    emerging.clear_cache()  # results of this test's database mean nothing to the next


def _call(agent, text: str, when, confidence: float | None = None) -> Interaction:  # type: ignore[no-untyped-def]
    turns = (("agent", "Thanks for calling, how can I help?"), ("customer", text))
    item = make_interaction(agent, started_at=when, turns=turns)
    item.top_tag_confidence = confidence
    # stored at ingest: one row per interaction; the redacted text differs to show which is quoted
    item.transcript.segments[1].redacted_text = text.replace("code", "[code]")
    db.session.add(
        SegmentEmbeddings(
            interaction_id=item.id,
            model=encoder.MODEL_NAME,
            dims=encoder.DIMENSIONS,
            positions=[0, 1],
            vectors=pack_vectors(encoder.encode([t for _, t in turns])),
        )
    )
    return item


@pytest.fixture
def history(app: Flask) -> dict:
    """Now: 8 locker complaints (new), 4 app crashes, a tagged call; before: 6 app crashes."""
    with app.app_context():
        alice, bob = make_agent(name="Alice"), make_agent(name="Bob")
        today = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
        now = [_call(alice, t, today - timedelta(days=n % 5)) for n, t in enumerate(LOCKER)]
        now += [_call(bob, t, today - timedelta(days=1)) for t in APP[:4]]
        tagged = _call(alice, LOCKER[0], today, confidence=0.93)
        low = _call(alice, LOCKER[1], today - timedelta(days=2), confidence=0.2)
        before = [_call(bob, t, today - timedelta(days=40)) for t in APP]
        for _ in range(30):  # tagged traffic in both periods, the denominators of the shares
            make_interaction(bob, started_at=today - timedelta(days=3)).top_tag_confidence = 0.9
            make_interaction(bob, started_at=today - timedelta(days=35)).top_tag_confidence = 0.9
        analyst = make_user(Role.ANALYST).email
        agent_bob = make_user(Role.AGENT, agent=bob).email
        db.session.commit()
        return {
            "locker": [i.id for i in now[:8]] + [low.id],
            "app": [i.id for i in now[8:]],
            "before": [i.id for i in before],
            "tagged": tagged.id,
            "analyst": analyst,
            "agent": agent_bob,
            "first": today.date() - timedelta(days=27),
            "last": today.date(),
        }


def _filters(history: dict) -> Filters:
    return Filters(history["first"], history["last"], "UTC")


# --- pure parts -------------------------------------------------------------------------------


def test_cluster_vectors_recovers_separated_groups_and_merges_split_ones() -> None:
    rng = np.random.default_rng(1)
    centers = np.eye(8)[:3]
    points = np.vstack(
        [c + 0.05 * rng.standard_normal((n, 8)) for c, n in zip(centers, (40, 25, 10), strict=True)]
    )
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    labels = emerging.cluster_vectors(points)
    assert sorted(np.bincount(labels).tolist(), reverse=True) == [40, 25, 10]
    assert labels[0] == 0 and labels[40] == 1 and labels[-1] == 2  # biggest first
    assert len(set(labels[:40].tolist())) == 1


def test_cluster_vectors_edge_sizes() -> None:
    assert emerging.cluster_vectors(np.zeros((0, 4))).tolist() == []
    assert emerging.cluster_vectors(np.ones((1, 4)) / 2).tolist() == [0]


def test_pool_customer_uses_customer_rows_and_falls_back_to_all() -> None:
    vectors = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 4.0]], dtype=np.float32)
    assert emerging.pool_customer(vectors, [False, True, True]).tolist() == [0.0, 1.0]
    pooled = emerging.pool_customer(vectors[:2], [False, False])
    assert pooled == pytest.approx([0.4472, 0.8944], abs=1e-3)


def test_top_terms_prefers_words_rare_elsewhere() -> None:
    here = ["locker code fails", "the locker door", "locker code again"]
    others = [["the app crashes", "app login code"], ["refund please"]]
    terms = emerging.top_terms(here, others)
    assert terms[0] == "locker"
    assert "the" not in terms


def test_previous_period_has_equal_length() -> None:
    prev = emerging.previous_period(Filters(date(2026, 3, 1), date(2026, 3, 31), "UTC"))
    assert (prev.first, prev.last) == (date(2026, 1, 29), date(2026, 2, 28))


# --- the service ------------------------------------------------------------------------------


def test_locker_complaints_form_a_significantly_growing_topic(app: Flask, history: dict) -> None:
    with app.app_context():
        user = db.session.scalar(db.select(emerging.User).filter_by(email=history["analyst"]))
        result = emerging.emerging_topics(user, _filters(history))
    assert result.candidates == 13  # 8 + 4 + the low-confidence one; the tagged one is out
    assert result.previous_candidates == 6
    locker = next(c for c in result.clusters if history["locker"][0] in c.interaction_ids)
    assert set(locker.interaction_ids) == set(history["locker"])
    assert history["tagged"] not in locker.interaction_ids
    assert locker.previous == 0 and locker.growth is None
    assert locker.is_growing and locker.q_value is not None and locker.q_value < 0.05
    assert result.clusters[0] == locker  # growing topics first
    assert "locker" in locker.terms
    assert len(locker.quotes) == 3 and all(
        "[code]" in q.text or "code" not in q.text for q in locker.quotes
    )
    assert all(q.interaction_id in history["locker"] for q in locker.quotes)
    crashes = next(c for c in result.clusters if history["app"][0] in c.interaction_ids)
    assert crashes.size == 4 and crashes.previous == 6
    assert not crashes.is_growing
    query = parse_qs(locker.new_tag_query())
    assert query["name"] == [locker.name] and len(query["examples"]) == 3


def test_an_agent_clusters_only_their_own_calls(app: Flask, history: dict) -> None:
    with app.app_context():
        user = db.session.scalar(db.select(emerging.User).filter_by(email=history["agent"]))
        result = emerging.emerging_topics(user, _filters(history))
    members = {i for c in result.clusters for i in c.interaction_ids}
    assert members == set(history["app"])  # Bob's; Alice's locker calls are not his


# --- pages ------------------------------------------------------------------------------------


def test_page_shows_topics_with_create_tag_link_and_home_notice(
    client: FlaskClient, history: dict
) -> None:
    login(client, history["analyst"])
    home = client.get("/analytics/").get_data(as_text=True)
    assert "growing significantly" not in home  # nothing clustered yet: the home page never does
    page = client.get("/analytics/emerging")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Create tag from this" in html and "/taxonomy/draft/tags/new?name=" in html
    assert "growing" in html and "p=" in html
    home = client.get("/analytics/").get_data(as_text=True)
    assert "growing significantly" in home


def test_drill_down_lists_the_cluster_and_unknown_cluster_is_404(
    client: FlaskClient, history: dict
) -> None:
    login(client, history["analyst"])
    page = client.get("/analytics/emerging/1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/calls/{history['locker'][0]}" in html
    assert f"/calls/{history['app'][0]}" not in html
    assert client.get("/analytics/emerging/99").status_code == 404


def test_bad_filters_keep_input_and_show_the_error(client: FlaskClient, history: dict) -> None:
    login(client, history["analyst"])
    page = client.get("/analytics/emerging?first=2026-03-10&last=2026-03-01")
    assert page.status_code == 200
    assert "The end is before the start." in page.get_data(as_text=True)


def test_link_targets_are_well_formed(client: FlaskClient, history: dict) -> None:
    login(client, history["analyst"])
    html = client.get("/analytics/emerging").get_data(as_text=True)
    start = html.index("/taxonomy/draft/tags/new?")
    href = html[start : html.index('"', start)].replace("&amp;", "&")
    assert urlsplit(href).path == "/taxonomy/draft/tags/new"
