"""Events and campaigns: recording (who may), before/after statistics (by hand), data edges."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from qa_app.analytics import event_stats
from qa_app.analytics.events import compare_event, events_between, window_length
from qa_app.analytics.models import Event
from qa_app.analytics.services import Filters
from qa_app.auth.models import Role
from qa_app.calls.models import Channel, Interaction
from qa_app.extensions import db
from qa_app.tagging.models import Tag, TagAssignment, Taxonomy, TaxonomyStatus
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction, make_user
from tests.qa_app.conftest import csrf_token, login

# --- statistics, against hand-computed values ---


def _binomial_tail(k: int, n: int) -> float:
    """P(X >= k) for X ~ Binomial(n, 1/2)."""
    return sum(math.comb(n, i) for i in range(k, n + 1)) / 2**n


def test_rate_ratio_with_equal_windows_is_an_exact_binomial_test() -> None:
    result = event_stats.compare_rates(10, 10.0, 20, 10.0)
    assert result.ratio == pytest.approx(2.0)
    assert result.before_rate == pytest.approx(1.0) and result.after_rate == pytest.approx(2.0)
    # two-sided exact test, symmetric at p = 1/2: twice the upper tail
    assert result.p_value == pytest.approx(2 * _binomial_tail(20, 30))
    assert result.low < 2.0 < result.high


def test_rate_ratio_uses_rates_when_the_windows_differ() -> None:
    # 10 in 10 days vs 5 in 2.5 days: both 2/day after, 1/day before
    result = event_stats.compare_rates(10, 10.0, 5, 2.5)
    assert result.ratio == pytest.approx(2.0)
    same = event_stats.compare_rates(10, 10.0, 3, 3.0)
    assert same.ratio == pytest.approx(1.0)
    assert same.p_value == pytest.approx(1.0)


def test_rates_with_an_empty_window_or_no_data_say_nothing() -> None:
    no_before = event_stats.compare_rates(0, 0.0, 12, 7.0)
    assert no_before.ratio is None and no_before.p_value is None and no_before.before_rate is None
    nothing = event_stats.compare_rates(0, 7.0, 0, 7.0)
    assert nothing.ratio is None and nothing.p_value is None
    zero_before = event_stats.compare_rates(0, 7.0, 6, 7.0)
    assert zero_before.ratio is None  # infinite, not a division by zero
    assert zero_before.p_value == pytest.approx(2 * 0.5**6)


def test_two_proportion_z_test_by_hand() -> None:
    result = event_stats.compare_shares(10, 100, 20, 100)
    pooled = 0.15
    z = 0.1 / math.sqrt(pooled * (1 - pooled) * (2 / 100))
    assert result.difference == pytest.approx(0.1)
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    se = math.sqrt(0.1 * 0.9 / 100 + 0.2 * 0.8 / 100)
    assert result.low == pytest.approx(0.1 - 1.959964 * se, abs=1e-6)
    assert result.high == pytest.approx(0.1 + 1.959964 * se, abs=1e-6)
    assert event_stats.compare_shares(0, 50, 0, 40).p_value == 1.0
    empty = event_stats.compare_shares(0, 0, 3, 10)
    assert empty.difference is None and empty.p_value is None and empty.after_share == 0.3


# --- recording events: who may, bad input, edit, delete ---


def _form(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "name": "Spring campaign",
        "kind": "campaign",
        "starts_at": "2026-03-02T09:00",
        "ends_at": "2026-03-09T09:00",
        "description": "20% off fibre",
    }
    data.update(overrides)
    return data


@pytest.fixture
def people(app: Flask) -> dict[str, str]:
    with app.app_context():
        emails = {role.value: make_user(role).email for role in Role}
        db.session.commit()
        return emails


def test_analyst_records_edits_and_deletes_an_event(
    app: Flask, client: FlaskClient, people: dict[str, str]
) -> None:
    login(client, people["analyst"])
    token = csrf_token(client, "/analytics/events/new")
    response = client.post(
        "/analytics/events/new",
        data={**_form(channels=["chat", "social"]), "csrf_token": token},
    )
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert (event.name, event.kind) == ("Spring campaign", "campaign")
        assert event.starts_at == datetime(2026, 3, 2, 9, 0)  # site time zone is UTC here
        assert event.scope == {"channels": ["chat", "social"]}
        event_id = event.id
        assert [e.id for e in events_between(datetime(2026, 3, 5), datetime(2026, 3, 6))] == [
            event_id
        ]
    assert "Spring campaign" in client.get("/analytics/events").get_data(as_text=True)

    edit = f"/analytics/events/{event_id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="Spring campaign"' in page and "2026-03-02T09:00" in page
    response = client.post(
        edit,
        data={**_form(name="Spring sale", kind="release"), "csrf_token": csrf_token(client, edit)},
    )
    assert response.status_code == 302
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.name, event.kind, event.scope) == ("Spring sale", "release", {})

    delete = f"/analytics/events/{event_id}/delete"
    token = csrf_token(client, f"/analytics/events/{event_id}")
    assert client.post(delete, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(Event, event_id) is None
    assert client.get(f"/analytics/events/{event_id}").status_code == 404


def test_bad_input_is_explained_and_kept(client: FlaskClient, people: dict[str, str]) -> None:
    login(client, people["admin"])
    token = csrf_token(client, "/analytics/events/new")
    response = client.post(
        "/analytics/events/new",
        data={**_form(name="Router recall", ends_at="2026-03-01T09:00"), "csrf_token": token},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The end must be after the start." in page
    assert 'value="Router recall"' in page
    response = client.post(
        "/analytics/events/new", data={**_form(kind="party"), "csrf_token": token}
    )
    assert "Not a valid choice" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["reviewer", "trainer", "agent"])
def test_only_analysts_and_admins_record_events(
    app: Flask, client: FlaskClient, people: dict[str, str], role: str
) -> None:
    with app.app_context():
        event = Event(name="Outage", kind="outage", starts_at=utcnow(), scope={})
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    login(client, people[role])
    token = csrf_token(client, "/analytics/events")
    assert client.get("/analytics/events/new").status_code == 403
    assert (
        client.post("/analytics/events/new", data={**_form(), "csrf_token": token}).status_code
        == 403
    )
    assert client.get(f"/analytics/events/{event_id}/edit").status_code == 403
    assert (
        client.post(f"/analytics/events/{event_id}/delete", data={"csrf_token": token}).status_code
        == 403
    )
    page = client.get(f"/analytics/events/{event_id}")
    assert page.status_code == 200  # everyone reads the comparison
    assert "/edit" not in page.get_data(as_text=True)


# --- the before/after comparison ---


@pytest.fixture
def outage(app: Flask) -> dict:
    """An outage 10 days ago (open-ended: 7-day windows). Before: 7 calls, one a day, one of
    them negative; after: 14 calls, two a day, 8 negative and 8 tagged 'outage'."""
    with app.app_context():
        start = (utcnow() - timedelta(days=10)).replace(microsecond=0)
        alice, bob = make_agent(name="Alice"), make_agent(name="Bob")
        first = make_interaction(bob, started_at=start - timedelta(days=9))  # the data's start
        taxonomy = Taxonomy(name="t", version="1", status=TaxonomyStatus.PUBLISHED, kinds=[])
        tag = Tag(taxonomy=taxonomy, key="outage", name="Outage", kind="complaint")
        db.session.add_all([taxonomy, tag])
        db.session.flush()
        for day in range(7):
            call = make_interaction(alice, started_at=start - timedelta(days=day, hours=12))
            call.mood_label = "negative" if day == 0 else "neutral"
        for n in range(14):
            call = make_interaction(alice, started_at=start + timedelta(hours=12 * n + 1))
            call.mood_label = "negative" if n < 8 else "positive"
            call.queue = "tech"
            if n < 8:
                db.session.add(
                    TagAssignment(tag=tag, taxonomy_id=taxonomy.id, interaction_id=call.id)
                )
        bob_after = make_interaction(bob, started_at=start + timedelta(days=3))
        event = Event(name="Network outage", kind="outage", starts_at=start, scope={})
        db.session.add(event)
        agent_user = make_user(Role.AGENT, agent=bob)
        db.session.commit()
        return {
            "event": event.id,
            "start": start,
            "agent": agent_user.email,
            "first": first.id,
            "bob_after": bob_after.id,
            "alice": alice.id,
            "bob": bob.id,
            "tag": tag.id,
        }


def test_before_after_on_volume_mood_and_tags(app: Flask, outage: dict) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
        result = compare_event(admin, db.session.get(Event, outage["event"]))
        assert (result.before.count, result.after.count) == (7, 15)  # Bob's call is after too
        assert result.before.days == pytest.approx(7.0) and result.after.days == pytest.approx(7.0)
        assert result.volume.ratio == pytest.approx(15 / 7)
        assert result.volume.p_value == pytest.approx(
            event_stats.compare_rates(7, 7.0, 15, 7.0).p_value
        )
        assert (result.negative.before_hits, result.negative.before_n) == (1, 7)
        assert (result.negative.after_hits, result.negative.after_n) == (8, 14)  # Bob: no mood
        [shift] = result.tags
        assert (shift.key, shift.share.before_hits, shift.share.after_hits) == ("outage", 0, 8)
        assert shift.share.after_share == pytest.approx(8 / 15)
        assert shift.q_value == pytest.approx(shift.share.p_value)  # one test: q = p
        assert shift.is_significant
        assert result.notes == []


def test_the_scope_narrows_the_comparison(app: Flask, outage: dict) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
        event = db.session.get(Event, outage["event"])
        event.scope = {"queues": ["tech"]}
        assert (
            compare_event(admin, event).before.count,
            compare_event(admin, event).after.count,
        ) == (0, 14)
        event.scope = {"tags": ["outage"]}
        assert compare_event(admin, event).after.count == 8
        event.scope = {"channels": ["social"]}
        assert compare_event(admin, event).after.count == 0


def test_an_event_before_the_data_starts_says_so(app: Flask, outage: dict) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
        early = Event(
            name="Launch", kind="release", starts_at=outage["start"] - timedelta(days=30), scope={}
        )
        db.session.add(early)
        db.session.flush()
        result = compare_event(admin, early)
        assert result.before.is_empty and result.before.count == 0
        assert result.volume.ratio is None and result.volume.p_value is None
        assert result.tags == []
        assert any("No data before the event" in n for n in result.notes)
        assert any("No interactions in the after window" in n for n in result.notes)


def test_an_event_that_straddles_the_start_of_the_data_is_shortened(
    app: Flask, outage: dict
) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
        # the data starts 9 days before the outage; an event 6 days before it has 3 days before
        event = Event(
            name="Price change",
            kind="other",
            starts_at=outage["start"] - timedelta(days=6),
            scope={},
        )
        db.session.add(event)
        db.session.flush()
        result = compare_event(admin, event)
        assert result.before.days == pytest.approx(3.0)
        assert result.after.days == pytest.approx(7.0)
        assert any("Shortened" in n for n in result.notes)


def test_a_running_or_future_event_is_compared_up_to_now(app: Flask, outage: dict) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
        now = outage["start"] + timedelta(days=2)
        result = compare_event(admin, db.session.get(Event, outage["event"]), now=now)
        assert result.after.days == pytest.approx(2.0)
        assert result.after.count == 4
        assert result.volume.after_rate == pytest.approx(2.0)
        assert any("Still running" in n for n in result.notes)
        future = Event(name="Black Friday", kind="campaign", starts_at=utcnow() + timedelta(days=3))
        db.session.add(future)
        db.session.flush()
        result = compare_event(admin, future)
        assert result.after.is_empty and result.volume.p_value is None
        assert any("not started yet" in n for n in result.notes)


def test_event_page_shows_effects_and_agents_see_their_own(
    client: FlaskClient, outage: dict, people: dict[str, str]
) -> None:
    login(client, people["reviewer"])
    page = client.get(f"/analytics/events/{outage['event']}").get_data(as_text=True)
    assert "Network outage" in page
    assert "×2.14" in page  # 15 after vs 7 before in equal windows
    assert "+53.3 pts" in page  # outage tag: 0 of 7 -> 8 of 15
    assert "significant" in page
    event_url = f"/analytics/events/{outage['event']}"
    assert f'href="{event_url}/interactions?side=before">See these 7 interactions' in page
    assert f'href="{event_url}/interactions?side=after&amp;tag_key=outage"' in page
    assert f'href="{event_url}/export.csv"' in page and f'href="{event_url}/export.xlsx"' in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, outage["agent"])
    page = client.get(f"/analytics/events/{outage['event']}").get_data(as_text=True)
    # Bob: nothing in the before window (his first call is 9 days before), one call after
    assert "No interactions in the before window." in page
    assert "<strong>1 interactions</strong>" in page


def test_edge_event_page_renders_without_data(
    app: Flask, client: FlaskClient, people: dict[str, str]
) -> None:
    login(client, people["analyst"])
    token = csrf_token(client, "/analytics/events/new")
    client.post("/analytics/events/new", data={**_form(), "csrf_token": token})
    with app.app_context():
        event_id = db.session.scalar(select(Event.id))
    response = client.get(f"/analytics/events/{event_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No interactions at all yet." in page
    assert "Not enough data to compare." in page


def test_channel_choices_match_the_enum() -> None:
    assert {c.value for c in Channel} >= {"chat", "social", "email", "voice"}


def test_demo_social_items_and_events_show_the_outage(app: Flask) -> None:
    from qa_app.analytics.demo_social import ensure_social_demo

    with app.app_context():
        added = ensure_social_demo("demo-secret")
        assert 300 <= added <= 500
        assert ensure_social_demo("demo-secret") == 0  # idempotent
        texts = list(
            db.session.scalars(select(Interaction.body).where(Interaction.source.is_not(None)))
        )
        assert len(set(texts)) > 0.8 * len(texts)  # varied, not one template
        events = {e.kind: e for e in db.session.scalars(select(Event))}
        assert set(events) == {"outage", "campaign", "award"}
        result = compare_event(make_user(Role.ANALYST), events["outage"])
        assert result.volume.ratio > 1.5 and result.volume.p_value < 0.001
        assert result.negative.difference > 0.1 and result.negative.p_value < 0.05


def test_window_length_rules() -> None:
    start = datetime(2026, 3, 2, 9, 0)
    outage = Event(starts_at=start, ends_at=start + timedelta(hours=10))
    assert window_length(outage) == timedelta(days=7)  # a week at least: weekdays vs weekdays
    campaign = Event(starts_at=start, ends_at=start + timedelta(days=9, hours=2))
    assert window_length(campaign) == timedelta(days=10)  # whole days
    assert window_length(Event(starts_at=start, ends_at=None)) == timedelta(days=7)
    assert window_length(outage, days=1) == timedelta(days=1)
    assert window_length(Event(starts_at=start, ends_at=start + timedelta(days=400))) == (
        timedelta(days=92)
    )


def test_the_page_offers_other_windows(client: FlaskClient, outage: dict, people: dict) -> None:
    login(client, people["analyst"])
    url = f"/analytics/events/{outage['event']}"
    page = client.get(f"{url}?days=3").get_data(as_text=True)
    assert "Two windows of 3 days each side" in page
    assert "<strong>3 interactions</strong>" in page  # one call a day before
    assert client.get(f"{url}?days=5").status_code == 400


def test_events_are_marked_on_the_activity_chart(
    app: Flask, client: FlaskClient, outage: dict, people: dict
) -> None:
    login(client, people["trainer"])
    page = client.get("/analytics/?tz=UTC").get_data(as_text=True)
    assert 'class="event-span"' in page
    assert f'href="/analytics/events/{outage["event"]}">Network outage</a>' in page


# --- exports and the drill-down behind every number ---


def test_event_comparison_exports_open_in_a_spreadsheet(
    client: FlaskClient, outage: dict, people: dict
) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    login(client, people["analyst"])
    url = f"/analytics/events/{outage['event']}/export"
    response = client.get(f"{url}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["event", "Network outage"]
    windows = {r[0]: r for r in rows if r and r[0] in ("before", "after")}
    assert windows["before"][4] == "7" and windows["after"][4] == "15"
    [volume] = [r for r in rows if r and r[0] == "interactions"]
    assert float(volume[3]) == pytest.approx(15 / 7, abs=1e-3)
    [mood] = [r for r in rows if r and r[0] == "interactions with a mood"]
    assert mood[1:3] == ["1", "7"] and mood[4:6] == ["8", "14"]
    [tag] = [r for r in rows if r and r[0] == "outage"]
    assert tag[2] == "0" and tag[5] == "8" and tag[6] == "15"  # hits before, hits and n after
    assert float(tag[-2]) < 0.05 and tag[-1] == "yes"  # q, significant
    book = load_workbook(io.BytesIO(client.get(f"{url}.xlsx?days=3").data))
    sheet_rows = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    assert ["window each side", "3 days"] == list(sheet_rows[4][:2])
    assert any(r[0] == "before" and r[4] == 3 for r in sheet_rows)  # one call a day
    assert client.get(f"{url}.pdf").status_code == 404
    assert client.get(f"{url}.csv?days=5").status_code == 400
    assert client.get("/analytics/events/999999/export.csv").status_code == 404


def _listed(page: str) -> int:
    """Rows of the interaction list (links to an interaction, not the nav's list)."""
    return len(re.findall(r'href="/calls/\d+"', page))


def test_every_count_drills_to_the_interactions_it_counted(
    app: Flask, client: FlaskClient, outage: dict, people: dict
) -> None:
    login(client, people["reviewer"])
    url = f"/analytics/events/{outage['event']}/interactions"
    after = client.get(f"{url}?side=after").get_data(as_text=True)
    assert _listed(after) == 15 and "Network outage" in after
    assert f'href="/calls/{outage["bob_after"]}"' in after
    assert _listed(client.get(f"{url}?side=before").get_data(as_text=True)) == 7
    tagged = client.get(f"{url}?side=after&tag_key=outage").get_data(as_text=True)
    assert _listed(tagged) == 8 and "tag outage" in tagged
    assert _listed(client.get(f"{url}?side=before&tag_key=outage").get_data(as_text=True)) == 0
    # the exact window, not whole days: the 3-day window holds one call a day
    assert _listed(client.get(f"{url}?side=before&days=3").get_data(as_text=True)) == 3
    assert f'href="/analytics/events/{outage["event"]}?days=3"' in client.get(
        f"{url}?side=before&days=3"
    ).get_data(as_text=True)
    with app.app_context():  # the event's scope applies as in the comparison
        event = db.session.get(Event, outage["event"])
        event.scope = {"queues": ["tech", "billing"]}
        db.session.commit()
    assert _listed(client.get(f"{url}?side=after").get_data(as_text=True)) == 14
    assert client.get(f"{url}?side=during").status_code == 400
    assert client.get(f"{url}?side=after&days=5").status_code == 400
    assert client.get("/analytics/events/999999/interactions?side=after").status_code == 404


def test_agents_drill_only_into_their_own_interactions(client: FlaskClient, outage: dict) -> None:
    login(client, outage["agent"])
    url = f"/analytics/events/{outage['event']}/interactions"
    page = client.get(f"{url}?side=after").get_data(as_text=True)
    assert _listed(page) == 1 and f'href="/calls/{outage["bob_after"]}"' in page
    assert _listed(client.get(f"{url}?side=before").get_data(as_text=True)) == 0


# --- the shared filter bar on top of the event's own scope ---


def _bar(**kwargs: object) -> Filters:
    """The default filters (UTC) with some fields set, as the filter bar would read them."""
    return replace(Filters.default("UTC"), **kwargs)  # type: ignore[arg-type]


def test_filters_narrow_the_comparison_on_top_of_the_scope(app: Flask, outage: dict) -> None:
    with app.app_context():
        admin = make_user(Role.ADMIN)
        event = db.session.get(Event, outage["event"])
        alice = compare_event(admin, event, filters=_bar(agent_id=outage["alice"]))
        assert (alice.before.count, alice.after.count) == (7, 14)  # Bob's call after is out
        assert alice.volume.ratio == pytest.approx(14 / 7)
        assert (alice.negative.after_hits, alice.negative.after_n) == (8, 14)
        [shift] = alice.tags
        assert shift.share.after_share == pytest.approx(8 / 14)  # was 8 of 15
        bob = compare_event(admin, event, filters=_bar(agent_id=outage["bob"]))
        assert (bob.before.count, bob.after.count) == (0, 1)
        tech = compare_event(admin, event, filters=_bar(queue="tech"))
        assert (tech.before.count, tech.after.count) == (0, 14)
        tagged = compare_event(admin, event, filters=_bar(tag_id=outage["tag"]))
        assert (tagged.before.count, tagged.after.count) == (0, 8)
        assert compare_event(admin, event, filters=_bar(channel="chat")).after.count == 0
        event.scope = {"queues": ["tech"]}  # the scope and the bar both apply
        assert compare_event(admin, event, filters=_bar(agent_id=outage["bob"])).after.count == 0
        assert compare_event(admin, event, filters=_bar(agent_id=outage["alice"])).after.count == 14


def test_event_page_applies_the_filter_bar_to_chart_links_and_exports(
    client: FlaskClient, outage: dict, people: dict
) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    login(client, people["reviewer"])
    event_url = f"/analytics/events/{outage['event']}"
    page = client.get(f"{event_url}?agent={outage['alice']}&days=7").get_data(as_text=True)
    assert 'class="card filterbar"' in page and f'action="{event_url}"' in page
    assert '<input type="hidden" name="days" value="7">' in page  # the window survives Apply
    assert "<strong>14 interactions</strong>" in page and "×2.00" in page
    assert "+57.1 pts" in page  # outage tag: 0 of 7 -> 8 of 14
    alice = outage["alice"]
    assert f"/interactions?agent={alice}&amp;side=after&amp;days=7&amp;tag_key=outage" in page
    assert f'href="{event_url}/export.csv?agent={outage["alice"]}&amp;days=7"' in page
    assert f'<input type="hidden" name="agent" value="{outage["alice"]}">' in page  # window picker
    rows = list(csv.reader(io.StringIO(
        client.get(f"{event_url}/export.csv?agent={outage['alice']}").get_data(as_text=True)
    )))  # fmt: skip
    windows = {r[0]: r for r in rows if r and r[0] in ("before", "after")}
    assert windows["before"][4] == "7" and windows["after"][4] == "14"
    book = load_workbook(io.BytesIO(client.get(f"{event_url}/export.xlsx?queue=tech").data))
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert any(r[0] == "after" and r[4] == 14 for r in sheet)
    assert any(r[0] == "before" and r[4] == 0 for r in sheet)
    drill = f"{event_url}/interactions?side=after"
    listed = client.get(f"{drill}&agent={outage['bob']}").get_data(as_text=True)
    assert _listed(listed) == 1 and f'href="/calls/{outage["bob_after"]}"' in listed
    assert f'href="{event_url}?agent={outage["bob"]}"' in listed  # back keeps the filters
    assert _listed(client.get(f"{drill}&tag={outage['tag']}").get_data(as_text=True)) == 8
    tokyo = client.get(f"{event_url}?tz=Asia/Tokyo").get_data(as_text=True)
    assert "times in Asia/Tokyo" in tokyo
    local = (outage["start"] + timedelta(hours=9)).strftime("%d %b %Y %H:%M")
    assert local in tokyo  # the start, shown in the chosen zone


def test_bad_filters_on_the_event_page_are_explained_and_ignored(
    client: FlaskClient, outage: dict, people: dict
) -> None:
    login(client, people["reviewer"])
    page = client.get(f"/analytics/events/{outage['event']}?agent=999999").get_data(as_text=True)
    assert "Not a valid choice" in page
    assert "<strong>15 interactions</strong>" in page  # the defaults: every visible call


def test_an_agent_cannot_filter_into_another_agents_calls(
    client: FlaskClient, outage: dict
) -> None:
    login(client, outage["agent"])
    url = f"/analytics/events/{outage['event']}"
    page = client.get(f"{url}?agent={outage['alice']}").get_data(as_text=True)
    assert "<strong>14 interactions</strong>" not in page
    listed = client.get(f"{url}/interactions?side=after&agent={outage['alice']}")
    assert _listed(listed.get_data(as_text=True)) <= 1
    assert f'href="/calls/{outage["bob_after"]}"' in listed.get_data(as_text=True) or (
        _listed(listed.get_data(as_text=True)) == 0
    )
    rows = client.get(f"{url}/export.csv?queue=tech").get_data(as_text=True)
    assert "\r\nafter," in rows and ",14," not in rows  # his own calls only: none in tech
