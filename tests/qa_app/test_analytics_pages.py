"""Analytics pages: activity, topics and mood scoped to what the user may see; filters (tag
roll-up, taxonomy version), drill-down, exports, bad filters."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from qa_app.auth.models import Role
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.timeutil import utcnow
from tests.factories import (
    make_agent,
    make_interaction,
    make_tag_assignment,
    make_taxonomy,
    make_user,
)
from tests.qa_app.conftest import csrf_token, login


@pytest.fixture
def floor(app: Flask) -> dict:
    """Two agents; Alice has three calls on one local hour today, Bob one call."""
    with app.app_context():
        alice, bob = make_agent(name="Alice"), make_agent(name="Bob")
        noon = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
        calls = [
            make_interaction(alice, started_at=noon + timedelta(minutes=m)).id for m in (1, 2, 3)
        ]
        other = make_interaction(bob, started_at=noon - timedelta(days=1)).id
        reviewer = make_user(Role.REVIEWER).email
        agent_user = make_user(Role.AGENT, agent=alice).email
        db.session.commit()
        return {
            "calls": calls,
            "other": other,
            "reviewer": reviewer,
            "agent": agent_user,
            "weekday": noon.weekday(),
            "today": noon.date(),
        }


def test_heatmap_counts_and_drills_down_to_the_cell(client: FlaskClient, floor: dict) -> None:
    login(client, floor["reviewer"])
    page = client.get("/analytics/?tz=UTC").get_data(as_text=True)
    assert "4 interactions" in page
    cell = client.get(f"/analytics/interactions?tz=UTC&weekday={floor['weekday']}&hour=12")
    body = cell.get_data(as_text=True)
    assert all(f"#{i}<" in body for i in floor["calls"])
    assert f"#{floor['other']}<" not in body


def test_analysts_never_see_individual_scores_in_the_drill_down(
    app: Flask, client: FlaskClient, floor: dict
) -> None:
    with app.app_context():
        for call_id in floor["calls"]:
            db.session.get(Interaction, call_id).ai_total = 87.0
        analyst = make_user(Role.ANALYST).email
        db.session.commit()
    url = f"/analytics/interactions?tz=UTC&weekday={floor['weekday']}&hour=12"
    login(client, floor["reviewer"])
    body = client.get(url).get_data(as_text=True)
    assert "AI score" in body and ">87<" in body
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, analyst)
    body = client.get(url).get_data(as_text=True)
    assert all(f"#{i}<" in body for i in floor["calls"])  # the rows, without the scores
    assert "AI score" not in body and ">87<" not in body


def test_agent_sees_only_their_own_numbers(client: FlaskClient, floor: dict) -> None:
    login(client, floor["agent"])
    assert "3 interactions" in client.get("/analytics/?tz=UTC").get_data(as_text=True)
    day = (floor["today"] - timedelta(days=1)).isoformat()
    assert f"#{floor['other']}<" not in client.get(
        f"/analytics/interactions?tz=UTC&day={day}"
    ).get_data(as_text=True)


def test_csv_and_xlsx_exports_open(client: FlaskClient, floor: dict) -> None:
    login(client, floor["reviewer"])
    text = client.get("/analytics/export.csv?tz=UTC").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["weekday", "00:00"]
    assert int(rows[1 + floor["weekday"]][1 + 12]) == 3
    xlsx = client.get("/analytics/export.xlsx?tz=UTC")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet.cell(row=2 + floor["weekday"], column=2 + 12).value == 3
    assert client.get("/analytics/export.pdf").status_code == 404


def test_bad_filters_are_explained_not_crashed(client: FlaskClient, floor: dict) -> None:
    login(client, floor["reviewer"])
    page = client.get("/analytics/?first=2026-05-10&last=2026-05-01").get_data(as_text=True)
    assert "The end is before the start." in page
    assert "Not a valid choice" in client.get("/analytics/?tz=Mars/Base").get_data(as_text=True)
    assert client.get("/analytics/interactions?weekday=9&hour=1").status_code == 400
    assert client.get("/analytics/interactions?day=yesterday").status_code == 400


def test_time_zone_moves_the_hour(client: FlaskClient, floor: dict) -> None:
    login(client, floor["reviewer"])
    tokyo = client.get(f"/analytics/interactions?tz=Asia/Tokyo&weekday={floor['weekday']}&hour=21")
    assert all(f"#{i}<" in tokyo.get_data(as_text=True) for i in floor["calls"])


# --- topics, mood, tags and events ---------------------------------------------------------------


def _call(agent, at, *, mood=None, trajectory=None, ai=None):  # type: ignore[no-untyped-def]
    """A bare interaction (no transcript): the analytics pages only count and link."""
    from qa_app.calls.models import Interaction, Status

    interaction = Interaction(
        agent=agent,
        status=Status.READY,
        started_at=at,
        mood_label=mood,
        mood_trajectory=trajectory,
        ai_total=ai,
    )
    db.session.add(interaction)
    db.session.flush()
    return interaction


@pytest.fixture
def tagged(app: Flask) -> dict:
    """A published taxonomy complaint/billing/double charge + enquiry/refund, and a draft.

    This week (the last 7 days): 40 calls, 30 about billing (10 of them double charges, all
    negative), 5 about refunds. The week before: 40 calls, 4 about billing, 5 about refunds.
    """
    from qa_app.analytics.models import Event

    with app.app_context():
        alice, bob = make_agent(name="Alice"), make_agent(name="Bob")
        taxonomy = make_taxonomy(
            (("billing", "complaint"), ("double_charge", "complaint"), ("refund", "enquiry"))
        )
        billing, double, refund = taxonomy.tags
        double.parent_id = billing.id
        draft = make_taxonomy((("shipping", "complaint"),), status="draft")
        today = utcnow().replace(hour=10, minute=0, second=0, microsecond=0)
        now_calls, before_calls = [], []
        for i in range(40):
            at = today - timedelta(days=i % 7, minutes=i)
            agent = alice if i < 20 else bob
            call = _call(
                agent,
                at,
                mood="negative" if i < 10 else "neutral",
                trajectory="worse" if i < 10 else "same",
                ai=50.0 if i < 30 else 90.0,
            )
            if i < 10:
                make_tag_assignment(call, double, segment=None)
            elif i < 30:
                make_tag_assignment(call, billing, segment=None)
            if 30 <= i < 35:
                make_tag_assignment(call, refund, segment=None)
            now_calls.append(call.id)
            earlier = _call(alice, at - timedelta(days=7), mood="positive", ai=85.0)
            if i < 4:
                make_tag_assignment(earlier, billing, segment=None)
            if 10 <= i < 15:
                make_tag_assignment(earlier, refund, segment=None)
            if i == 39:
                make_tag_assignment(earlier, billing, segment=None, state="rejected")
            before_calls.append(earlier.id)
        db.session.add(
            Event(
                name="Price rise letter",
                kind="campaign",
                starts_at=today - timedelta(days=3),
                ends_at=today - timedelta(days=2),
            )
        )
        reviewer = make_user(Role.REVIEWER).email
        analyst = make_user(Role.ANALYST).email
        agent_user = make_user(Role.AGENT, agent=alice).email
        db.session.commit()
        first = (today - timedelta(days=6)).date()
        return {
            "query": f"tz=UTC&first={first}&last={today.date()}",
            "billing": billing.id,
            "double": double.id,
            "refund": refund.id,
            "draft": draft.id,
            "draft_tag": draft.tags[0].id,
            "now": now_calls,
            "before": before_calls,
            "reviewer": reviewer,
            "analyst": analyst,
            "agent": agent_user,
            "today": today,
        }


def _ids(body: str, ids: list[int]) -> set[int]:
    return {i for i in ids if f"#{i}<" in body}


def test_topics_roll_up_test_movers_and_drill_through_the_hierarchy(
    client: FlaskClient, tagged: dict
) -> None:
    login(client, tagged["analyst"])
    page = client.get(f"/analytics/topics?{tagged['query']}").get_data(as_text=True)
    assert "40 interactions" in page and "compared with 40" in page
    assert "Complaint" in page and "Enquiry" in page
    levels = page.split("Movers against")[1].split("Trend per")[0]
    assert "Double charge" not in levels  # only top-level tags at first
    assert "75.0%" in page  # billing rolled up: 30 of 40 (20 billing + 10 double charge)
    movers = page.split("Movers against")[1].split("</section>")[0]
    assert "Billing" in movers and "Refund" not in movers  # 10% -> 75% moves, 12.5% stays
    assert "q &lt;0.001" in movers
    assert 'href="/analytics/topics?' in page and f"node={tagged['billing']}" in page
    children = client.get(f"/analytics/topics?{tagged['query']}&node={tagged['billing']}")
    body = children.get_data(as_text=True)
    assert "Double charge" in body and "25.0%" in body  # 10 of 40
    assert "Price rise letter" in body and 'class="event-span"' in body


def test_tag_filter_includes_descendants_and_skips_rejected(
    client: FlaskClient, tagged: dict
) -> None:
    login(client, tagged["reviewer"])
    q = tagged["query"]
    body = client.get(f"/analytics/interactions?{q}&tag={tagged['billing']}").get_data(as_text=True)
    assert _ids(body, tagged["now"]) == set(tagged["now"][:30])
    assert "tag Billing" in body
    child = client.get(f"/analytics/interactions?{q}&tag={tagged['double']}").get_data(as_text=True)
    assert _ids(child, tagged["now"]) == set(tagged["now"][:10])
    page = client.get(f"/analytics/?{q}&tag={tagged['billing']}").get_data(as_text=True)
    assert "30 interactions" in page
    earlier = client.get(
        f"/analytics/interactions?tz=UTC&first={tagged['today'].date() - timedelta(days=13)}"
        f"&last={tagged['today'].date() - timedelta(days=7)}&tag={tagged['billing']}"
    ).get_data(as_text=True)
    assert _ids(earlier, tagged["before"]) == set(tagged["before"][:4])  # not the rejected one


def test_taxonomy_version_filter_switches_the_tags(client: FlaskClient, tagged: dict) -> None:
    login(client, tagged["analyst"])
    page = client.get(f"/analytics/topics?{tagged['query']}&taxonomy={tagged['draft']}")
    body = page.get_data(as_text=True)
    assert "Shipping" in body and "Billing" not in body.split("Movers against")[1]
    # a tag of another version is not a valid choice: explained, defaults used
    wrong = client.get(f"/analytics/topics?{tagged['query']}&tag={tagged['draft_tag']}")
    assert "Not a valid choice" in wrong.get_data(as_text=True)


def test_mood_page_distribution_trajectories_and_concerns(
    client: FlaskClient, tagged: dict
) -> None:
    login(client, tagged["reviewer"])
    page = client.get(f"/analytics/mood?{tagged['query']}").get_data(as_text=True)
    assert "40 of 40 interactions" in page
    assert "25.0%" in page  # 10 negative of 40
    concerns = page.split("Key points of concern")[1]
    # double charge: 10 of 10 negative, lift 4.00, first by lift; its Wilson interval 72-100%
    first_row = concerns.split("<tbody>")[1].split("</tr>")[0]
    assert "Double charge" in first_row and "4.00" in first_row and "72%–100%" in first_row
    assert "50.0" in first_row  # AI score mean of the double-charge calls
    by_ai = client.get(f"/analytics/mood?{tagged['query']}&sort=ai").get_data(as_text=True)
    ai_rows = by_ai.split("Key points of concern")[1].split("<tbody>")[1].split("</tr>")
    assert "Billing" in ai_rows[0] or "Double charge" in ai_rows[0]  # mean 50 comes first
    assert "Refund" in ai_rows[-2]  # refund calls scored 90
    drill = client.get(
        f"/analytics/interactions?{tagged['query']}&mood=negative&tag={tagged['billing']}"
    ).get_data(as_text=True)
    assert _ids(drill, tagged["now"]) == set(tagged["now"][:10])
    worse = client.get(f"/analytics/interactions?{tagged['query']}&trajectory=worse")
    assert _ids(worse.get_data(as_text=True), tagged["now"]) == set(tagged["now"][:10])
    assert client.get("/analytics/interactions?mood=furious").status_code == 400
    assert client.get("/analytics/interactions?trajectory=sideways").status_code == 400


def test_negative_and_tag_heatmaps_drill_with_their_filter(
    client: FlaskClient, tagged: dict
) -> None:
    login(client, tagged["reviewer"])
    page = client.get(f"/analytics/?{tagged['query']}&metric=negative").get_data(as_text=True)
    assert "When customers are unhappy" in page and "mood=negative" in page
    tag_map = client.get(
        f"/analytics/?{tagged['query']}&metric=tag&htag={tagged['refund']}"
    ).get_data(as_text=True)
    assert "Refund" in tag_map and f"tag={tagged['refund']}" in tag_map
    hour_cell = client.get(
        f"/analytics/interactions?{tagged['query']}&weekday={tagged['today'].weekday()}"
        f"&hour=9&mood=negative"
    ).get_data(as_text=True)  # 10:00 minus i minutes: the first call is at 10:00, others 09:xx
    expected = {i for n, i in enumerate(tagged["now"][:10]) if n % 7 == 0 and n > 0}
    assert _ids(hour_cell, tagged["now"]) == expected


def test_topic_and_mood_exports_open_in_a_spreadsheet(client: FlaskClient, tagged: dict) -> None:
    login(client, tagged["analyst"])
    text = client.get(f"/analytics/topics/export.csv?{tagged['query']}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    billing = next(r for r in rows if len(r) > 1 and r[1] == "Billing")
    assert billing[2] == "30" and billing[4] == "4" and billing[9] == "yes"
    book = load_workbook(
        io.BytesIO(client.get(f"/analytics/topics/export.xlsx?{tagged['query']}").get_data())
    )
    assert book.active.cell(row=1, column=9).value == "q (BH)"
    mood = load_workbook(
        io.BytesIO(client.get(f"/analytics/mood/export.xlsx?{tagged['query']}").get_data())
    ).active
    values = [[c.value for c in row] for row in mood.iter_rows()]
    assert ["negative", 10, 0.25] in [r[:3] for r in values]
    assert any(r[0] == "Double charge" and r[3] == 10 for r in values if r)
    assert client.get("/analytics/mood/export.pdf").status_code == 404


def test_agents_see_only_their_own_topics_and_mood(client: FlaskClient, tagged: dict) -> None:
    login(client, tagged["agent"])  # Alice: now-calls 0-19 (10 double charge, 10 billing)
    topics_page = client.get(f"/analytics/topics?{tagged['query']}").get_data(as_text=True)
    assert "20 interactions" in topics_page and "100.0%" in topics_page
    mood_page = client.get(f"/analytics/mood?{tagged['query']}").get_data(as_text=True)
    assert "20 of 20 interactions" in mood_page
    drill = client.get(f"/analytics/interactions?{tagged['query']}&tag={tagged['billing']}")
    assert _ids(drill.get_data(as_text=True), tagged["now"]) == set(tagged["now"][:20])


def test_sub_navigation_keeps_the_filters(client: FlaskClient, tagged: dict) -> None:
    login(client, tagged["reviewer"])
    page = client.get(f"/analytics/mood?{tagged['query']}&sort=ai").get_data(as_text=True)
    nav = page.split('class="tabs analytics-tabs"')[1].split("</nav>")[0]
    assert [label in nav for label in ("Activity", "Topics", "Mood")] == [True] * 3
    link = nav.split('href="/analytics/topics?')[1].split('"')[0].replace("&amp;", "&")
    assert sorted(link.split("&")) == sorted(tagged["query"].split("&"))  # not the page's sort
    assert 'aria-current="page">Mood' in nav


def test_sql_buckets_local_hours_across_dst_and_half_hour_zones(
    client: FlaskClient, app: Flask
) -> None:
    with app.app_context():
        make_interaction(started_at=datetime(2026, 3, 27, 8, 0))  # Fri 09:00 CET
        make_interaction(started_at=datetime(2026, 3, 30, 7, 0))  # Mon 09:00 CEST
        make_interaction(started_at=datetime(2026, 3, 28, 3, 45))  # Sat 09:15 in Kolkata
        email = make_user(Role.REVIEWER).email
        db.session.commit()
    login(client, email)
    period = "first=2026-03-27&last=2026-03-30"
    berlin = list(
        csv.reader(
            io.StringIO(
                client.get(f"/analytics/export.csv?tz=Europe/Berlin&{period}").get_data(
                    as_text=True
                )
            )
        )
    )
    assert berlin[1 + 4][1 + 9] == "1" and berlin[1 + 0][1 + 9] == "1"  # Fri and Mon, 09:00
    assert berlin[1 + 5][1 + 4] == "1"  # 03:45 UTC is 04:45 in Berlin on Saturday
    kolkata = list(
        csv.reader(
            io.StringIO(
                client.get(f"/analytics/export.csv?tz=Asia/Kolkata&{period}").get_data(as_text=True)
            )
        )
    )
    assert kolkata[1 + 5][1 + 9] == "1"  # 09:15 IST, not 08:00 or 10:00
    cell = client.get(f"/analytics/interactions?tz=Europe/Berlin&{period}&weekday=0&hour=9")
    assert len(re.findall(r'href="/calls/\d+"', cell.get_data(as_text=True))) == 1


def test_trend_points_drill_to_their_day_or_week(client: FlaskClient, tagged: dict) -> None:
    login(client, tagged["reviewer"])
    page = client.get(f"/analytics/topics?{tagged['query']}").get_data(as_text=True)
    today = tagged["today"].date().isoformat()
    point = f"tag={tagged['billing']}&amp;day={today}"
    assert point in page
    body = client.get(f"/analytics/interactions?{tagged['query']}&{point.replace('&amp;', '&')}")
    # today's billing calls: i % 7 == 0 among the first 30 (double charges included)
    expected = {tagged["now"][i] for i in range(30) if i % 7 == 0}
    assert _ids(body.get_data(as_text=True), tagged["now"]) == expected
    weekly = client.get(f"/analytics/mood?{tagged['query']}&by=week").get_data(as_text=True)
    first = (tagged["today"].date() - timedelta(days=6)).isoformat()
    links = re.findall(r'href="(/analytics/interactions\?[^"]*mood=negative[^"]*)"', weekly)
    assert any(f"first={first}&amp;last={today}" in link for link in links)
    assert "Mood per 7 days" in weekly
