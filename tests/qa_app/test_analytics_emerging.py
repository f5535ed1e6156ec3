"""Emerging topics: clustering of untagged history on stored vectors, growth, page and notice."""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from qa_app import tasks
from qa_app.analytics import emerging
from qa_app.analytics.models import EmergingSnapshot
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


# --- stored snapshots -------------------------------------------------------------------------


def _snapshots() -> list[EmergingSnapshot]:
    return list(db.session.scalars(select(EmergingSnapshot).order_by(EmergingSnapshot.id)))


def _mark_stored(marker: str = "STORED-MARKER quote") -> None:
    """Rewrite the stored first quote, so a page shows whether it read the snapshot."""
    row = _snapshots()[-1]
    data = copy.deepcopy(row.result)
    data["clusters"][0]["quotes"][0][1] = marker + " from the snapshot"
    row.result = data


def test_snapshot_is_stored_with_the_page_clusters_and_served(
    app: Flask, client: FlaskClient, history: dict
) -> None:
    with app.app_context():
        row = emerging.compute_snapshot()
        assert (row.first, row.last, row.tz) == (history["first"], history["last"], "UTC")
        stored = emerging.stored_emerging(
            db.session.scalar(db.select(emerging.User).filter_by(email=history["analyst"])),
            _filters(history),
            emerging.LOW_CONFIDENCE,
        )
        assert stored is not None and stored.computed_at == row.computed_at
        locker = stored.clusters[0]
        assert set(locker.interaction_ids) == set(history["locker"]) and locker.is_growing
        assert stored.candidates == 13 and stored.previous_candidates == 6
        computed = f"computed {row.computed_at:%H:%M}"
        _mark_stored()
        db.session.commit()
    emerging.clear_cache()
    login(client, history["analyst"])
    html = client.get("/analytics/emerging").get_data(as_text=True)
    assert "STORED-MARKER quote" in html
    assert computed in html
    drill = client.get("/analytics/emerging/1").get_data(as_text=True)
    assert f"/calls/{history['locker'][0]}" in drill
    # other filters are not what the snapshot answers: computed live
    other = client.get(f"/analytics/emerging?first={history['first']}&last={history['last']}"
                       "&channel=voice").get_data(as_text=True)  # fmt: skip
    assert "STORED-MARKER" not in other and "computed " not in other


def test_stale_snapshot_is_not_served_and_the_live_result_replaces_it(
    app: Flask, client: FlaskClient, history: dict
) -> None:
    with app.app_context():
        emerging.compute_snapshot()
        _mark_stored()
        stale = utcnow() - emerging.SNAPSHOT_MAX_AGE - timedelta(minutes=1)
        _snapshots()[-1].computed_at = stale
        db.session.commit()
    login(client, history["analyst"])
    html = client.get("/analytics/emerging").get_data(as_text=True)
    assert "STORED-MARKER" not in html and "computed " not in html
    assert "Create tag from this" in html
    with app.app_context():
        rows = _snapshots()
        assert len(rows) == 1 and rows[0].computed_at > stale  # the live result, stored
    assert "computed " in client.get("/analytics/emerging").get_data(as_text=True)


def test_snapshot_of_another_period_is_not_served(
    app: Flask, client: FlaskClient, history: dict
) -> None:
    with app.app_context():
        emerging.compute_snapshot()
        _mark_stored()
        _snapshots()[-1].first = history["first"] - timedelta(days=1)  # yesterday's period
        db.session.commit()
    login(client, history["analyst"])
    assert "STORED-MARKER" not in client.get("/analytics/emerging").get_data(as_text=True)


def test_agents_never_get_the_site_wide_snapshot(
    app: Flask, client: FlaskClient, history: dict
) -> None:
    with app.app_context():
        emerging.compute_snapshot()
        _mark_stored()
        db.session.commit()
        agent = db.session.scalar(db.select(emerging.User).filter_by(email=history["agent"]))
        assert emerging.stored_emerging(agent, _filters(history), 0.5) is None
        assert emerging.stored_growing(agent, "UTC", 0.5) == []
    login(client, history["agent"])
    html = client.get("/analytics/emerging").get_data(as_text=True)
    assert "STORED-MARKER" not in html and "computed " not in html
    assert f'/calls/{history["locker"][0]}"' not in html  # Alice's calls are not Bob's
    assert "growing significantly" not in client.get("/analytics/").get_data(as_text=True)
    with app.app_context():
        assert len(_snapshots()) == 1  # an agent's live result is never stored as site-wide


def test_home_notice_reads_the_stored_snapshot_not_the_process_cache(
    app: Flask, client: FlaskClient, history: dict
) -> None:
    login(client, history["analyst"])
    assert "growing significantly" not in client.get("/analytics/").get_data(as_text=True)
    with app.app_context():
        emerging.compute_snapshot()
        db.session.commit()
    emerging.clear_cache()  # another process computed it: nothing in this one's cache
    home = client.get("/analytics/").get_data(as_text=True)
    assert "1 emerging topic growing significantly" in home
    with app.app_context():
        _snapshots()[-1].computed_at = utcnow() - emerging.NOTICE_MAX_AGE - timedelta(minutes=1)
        db.session.commit()
    assert "growing significantly" not in client.get("/analytics/").get_data(as_text=True)


def test_sweep_stores_a_snapshot_at_most_every_few_minutes(app: Flask, history: dict) -> None:
    with app.app_context():
        tasks.sweep_and_enqueue()
        first = _snapshots()
        assert len(first) == 1 and first[0].result["clusters"]
        computed = first[0].computed_at
        tasks.sweep_and_enqueue()
        assert [r.computed_at for r in _snapshots()] == [computed]  # not due yet
        first[0].computed_at = utcnow() - emerging.SNAPSHOT_EVERY - timedelta(seconds=1)
        tasks.sweep_and_enqueue()
        assert _snapshots()[-1].computed_at > computed


def test_sweep_logs_a_failed_snapshot_and_goes_on(
    app: Flask, history: dict, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "EMERGING_CONFIDENCE_BELOW", "not a number")  # misconfigured
    with app.app_context():
        assert tasks.sweep_and_enqueue() == 0  # no exception
        assert "emerging topics snapshot failed" in caplog.text
        assert _snapshots() == []
        caplog.clear()
        monkeypatch.setitem(app.config, "EMERGING_CONFIDENCE_BELOW", 0.5)
        tasks.sweep_and_enqueue()  # backs off after a failure rather than retry every sweep
        assert _snapshots() == [] and "snapshot failed" not in caplog.text
        emerging.clear_cache()
        tasks.sweep_and_enqueue()
        assert len(_snapshots()) == 1


def test_cli_command_stores_the_snapshot(app: Flask, history: dict) -> None:
    result = app.test_cli_runner().invoke(args=["analytics", "emerging"])
    assert result.exit_code == 0, result.output
    assert "emerging topics: " in result.output and "stored" in result.output
    with app.app_context():
        assert len(_snapshots()) == 1


# --- exports ----------------------------------------------------------------------------------


def _sheet(body: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_xlsx_export_holds_the_clusters_with_redacted_quotes(
    client: FlaskClient, history: dict
) -> None:
    login(client, history["analyst"])
    response = client.get("/analytics/emerging/export.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _sheet(response.data)
    assert rows[0][:4] == ["number", "topic", "size now", "size before"]
    by_size = {(r[2], r[3]): r for r in rows[1:]}
    locker, crashes = by_size[(9, 0)], by_size[(4, 6)]
    assert locker[0] == 1 and locker[6] == "new" and locker[9] == "yes"
    assert "locker" in locker[10]
    quotes = locker[11].split("\n")
    assert len(quotes) == 3 and any("[code]" in q for q in quotes)
    assert all("code" not in q.replace("[code]", "") for q in quotes)  # the redacted text only
    assert crashes[9] is None and isinstance(crashes[7], float)


def test_csv_export_honours_the_filters_and_unknown_format_is_404(
    app: Flask, client: FlaskClient, history: dict
) -> None:
    with app.app_context():
        bob_id = db.session.get(Interaction, history["app"][0]).agent_id
    login(client, history["analyst"])
    everyone = client.get("/analytics/emerging/export.csv").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(everyone)))) == 3
    only_bob = client.get(f"/analytics/emerging/export.csv?agent={bob_id}")
    assert only_bob.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(only_bob.get_data(as_text=True))))
    assert len(rows) == 2 and rows[1][2:4] == ["4", "6"]  # the app crashes, not the lockers
    assert client.get("/analytics/emerging/export.pdf").status_code == 404


def test_an_agent_exports_only_their_own_topics(client: FlaskClient, history: dict) -> None:
    login(client, history["agent"])
    rows = _sheet(client.get("/analytics/emerging/export.xlsx").data)
    assert [(r[2], r[3]) for r in rows[1:]] == [(4, 6)]


def test_page_header_links_both_exports_with_the_filters(
    client: FlaskClient, history: dict
) -> None:
    login(client, history["analyst"])
    html = client.get("/analytics/emerging?tz=UTC").get_data(as_text=True)
    assert "/analytics/emerging/export.csv?tz=UTC" in html
    assert "/analytics/emerging/export.xlsx?tz=UTC" in html
