"""Activity analytics: scoped to what the user may see, drill-down, exports, bad filters."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from qa_app.auth.models import Role
from qa_app.extensions import db
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction, make_user
from tests.qa_app.conftest import login


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
