"""Importing chats and social comments: CSV and JSONL, bad lines, duplicates, the hashed author,
refused files, the upload page and the CLI."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from qa_app.analytics import imports
from qa_app.auth.models import Role
from qa_app.calls.models import Channel, Interaction, Speaker, Status
from qa_app.extensions import db
from tests.factories import make_user
from tests.qa_app.conftest import csrf_token, login

SECRET = "test-secret"  # the test app's SECRET_KEY

CSV = (
    "text,created_at,channel,source,author,queue,external_id\n"
    "My card 4111 1111 1111 1111 was charged twice!,2026-11-20T14:05:00Z,social,twitter,"
    "@Jo_Smith,billing,tw-1\n"
    '"Internet down again, third time this week",2026-11-20T16:00:00+01:00,chat,webchat,'
    "jo_smith,tech,wc-7\n"
    "Love the new app,yesterday,social,twitter,@happy,,tw-2\n"
    ",2026-11-20T16:00:00,social,twitter,@empty,,tw-3\n"
    "Thanks for the quick fix,2026-11-21 09:30,email,mail,@kim,,\n"
    "Fax me,2026-11-21T10:00:00,fax,fax,@old,,\n"
)


def test_csv_items_become_text_interactions_and_bad_lines_are_reported(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        report = imports.import_texts("posts.csv", CSV.encode(), SECRET)
        assert (report.imported, report.skipped, report.analysed) == (3, 0, 3)
        assert report.errors == [
            "posts.csv:4: created_at 'yesterday' is not an ISO 8601 time",
            "posts.csv:5: missing text",
            "posts.csv:7: channel 'fax' is not one of chat, social, email",
        ]
        rows = list(db.session.scalars(select(Interaction).order_by(Interaction.started_at)))
        first, second, third = rows
        assert (first.channel, first.source, first.queue, first.external_id) == (
            Channel.SOCIAL,
            "twitter",
            "billing",
            "tw-1",
        )
        assert first.status is Status.READY
        assert str(second.started_at) == "2026-11-20 15:00:00"  # +01:00 stored as UTC
        assert first.started_at < second.started_at < third.started_at
        [segment] = first.transcript.segments
        assert segment.speaker is Speaker.CUSTOMER
        assert segment.redacted_text == "My card [CARD] was charged twice!"
        assert first.body == segment.text
        # every item was tagged/measured by the same analysis as calls
        assert all(r.mood_label in ("negative", "neutral", "positive") for r in rows)
        # the author: a keyed hash, the same for "@Jo_Smith" and "jo_smith", never the handle
        expected = hmac.new(SECRET.encode(), b"jo_smith", hashlib.sha256).hexdigest()
        assert first.author_hash == second.author_hash == expected
        assert third.author_hash != expected
        stored = json.dumps(
            [
                [getattr(r, c.name) for c in Interaction.__table__.columns]
                for r in db.session.scalars(select(Interaction))
            ],
            default=str,
        ).lower()
        assert "jo_smith" not in stored and "@kim" not in stored
    assert "jo_smith" not in caplog.text.lower() and "kim" not in caplog.text.lower()


def test_jsonl_with_broken_lines(app: Flask) -> None:
    lines = [
        json.dumps(
            {
                "text": "Where is my parcel?",
                "created_at": "2026-11-22T08:00:00Z",
                "channel": "chat",
                "source": "webchat",
                "author_handle": "visitor-81",
                "external_id": "c-1",
            }
        ),
        "",
        '{"text": "half a line", ',
        '["not", "an", "object"]',
        json.dumps(
            {
                "text": "Refund please",
                "created_at": 1795000000,
                "channel": "SOCIAL",
                "source": "Facebook",
                "author": "Ann",
            }
        ),
    ]
    with app.app_context():
        report = imports.import_texts("chats.jsonl", "\n".join(lines).encode(), SECRET)
        assert report.imported == 2
        assert report.errors[0].startswith("chats.jsonl:3: not valid JSON")
        assert report.errors[1] == "chats.jsonl:4: not a JSON object"
        rows = list(db.session.scalars(select(Interaction).order_by(Interaction.id)))
        assert [(r.channel, r.source) for r in rows] == [
            (Channel.CHAT, "webchat"),
            (Channel.SOCIAL, "facebook"),
        ]


def test_duplicate_external_ids_are_skipped(app: Flask) -> None:
    with app.app_context():
        first = imports.import_texts("posts.csv", CSV.encode(), SECRET)
        again = imports.import_texts("posts.csv", CSV.encode(), SECRET)
        # the item without an external id cannot be recognised, so it comes in again
        assert (again.imported, again.skipped) == (1, 2)
        twice = CSV + (
            "Same id later in the file,2026-11-22T10:00:00Z,social,twitter,@x,,tw-9\n"
            "Same id again,2026-11-22T11:00:00Z,social,twitter,@x,,tw-9\n"
        )
        within = imports.import_texts("more.csv", twice.encode(), SECRET)
        assert (within.imported, within.skipped) == (2, 3)
        assert first.imported + again.imported + within.imported == db.session.scalar(
            select(db.func.count(Interaction.id))
        )


def test_wrong_type_too_large_or_unreadable_files_are_refused(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        with pytest.raises(imports.ImportRefused, match=r"posts.txt: not a CSV or JSONL file"):
            imports.import_texts("posts.txt", CSV.encode(), SECRET)
        with pytest.raises(imports.ImportRefused, match="not UTF-8"):
            imports.import_texts("posts.csv", "caf\xe9,x\n".encode("latin-1"), SECRET)
        with pytest.raises(imports.ImportRefused, match="needs the column.*author"):
            imports.import_texts("posts.csv", b"text,created_at,channel,source\nhi,x,y,z\n", SECRET)
        with pytest.raises(imports.ImportRefused, match="empty"):
            imports.import_texts("posts.jsonl", b"", SECRET)
        with pytest.raises(imports.ImportRefused, match="3 items is more than 2 for one upload"):
            imports.import_texts("posts.csv", CSV.encode(), SECRET, max_items=2)
        monkeypatch.setattr(imports, "MAX_BYTES", 100)
        with pytest.raises(imports.ImportRefused, match="more than the 0 MB limit"):
            imports.import_texts("posts.csv", CSV.encode(), SECRET)
        assert db.session.scalar(select(Interaction.id)) is None


def test_upload_page_shows_the_summary(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        analyst = make_user(Role.ANALYST).email
        db.session.commit()
    login(client, analyst)
    token = csrf_token(client, "/analytics/import")
    response = client.post(
        "/analytics/import",
        data={"csrf_token": token, "file": (io.BytesIO(CSV.encode()), "posts.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<span class="metric-label">Imported</span><span class="metric-value">3</span>' in page
    assert "posts.csv:7: channel &#39;fax&#39; is not one of chat, social, email" in page
    assert "up to 20 MB and 1000 items" in page
    refused = client.post(
        "/analytics/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"\x89PNG..."), "chart.png")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "chart.png: not a CSV or JSONL file" in refused
    missing = client.post("/analytics/import", data={"csrf_token": token}).get_data(as_text=True)
    assert "Choose a file to import." in missing


def test_only_analysts_and_admins_import(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        reviewer = make_user(Role.REVIEWER).email
        db.session.commit()
    login(client, reviewer)
    token = csrf_token(client, "/analytics/")
    response = client.post(
        "/analytics/import",
        data={"csrf_token": token, "file": (io.BytesIO(CSV.encode()), "posts.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Interaction.id)) is None


def test_cli_imports_a_file_and_refuses_a_wrong_one(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(CSV, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-texts", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 imported (3 tagged with mood), 0 skipped as duplicates, 3 lines with errors" in (
        result.output
    )
    assert f"{path}:4: created_at 'yesterday' is not an ISO 8601 time" in result.output
    wrong = tmp_path / "posts.xlsx"
    wrong.write_bytes(b"PK")
    result = runner.invoke(args=["import-texts", str(wrong)])
    assert result.exit_code == 1
    assert "not a CSV or JSONL file" in result.output
