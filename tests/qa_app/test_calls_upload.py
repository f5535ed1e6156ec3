"""Uploading recordings in the web UI, retrying failures, and the status feed."""

from __future__ import annotations

import io
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from qa_app.agents.models import Agent
from qa_app.auth.models import Role
from qa_app.calls.models import Direction, Interaction, Recording, Status
from qa_app.extensions import db
from qa_app.storage import path_for
from tests.factories import make_agent, make_interaction, make_user
from tests.qa_app.calls_helpers import MONO, STEREO, SentJobs, sent_fixture  # noqa: F401
from tests.qa_app.conftest import csrf_token, login


def _signed_in(app: Flask, client: FlaskClient, role: Role = Role.REVIEWER, agent=None):  # type: ignore[no-untyped-def]
    with app.app_context():
        user = make_user(role, agent=agent)
        db.session.commit()
        email = user.email
    login(client, email)
    return email


def _post(client: FlaskClient, files: list[tuple[bytes, str]], **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf_token(client, "/calls/upload"),
        "files": [(io.BytesIO(body), name) for body, name in files],
        "direction": "inbound",
        "agent_id": "0",
        **fields,
    }
    return client.post("/calls/upload", data=data, content_type="multipart/form-data")


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_upload_many_files_with_metadata_queues_each(
    app: Flask, client: FlaskClient, sent: SentJobs
) -> None:
    with app.app_context():
        agent = make_agent(name="Priya Patel")
        db.session.commit()
        agent_id = agent.id
    _signed_in(app, client)
    response = _post(
        client,
        # bodies over 500 kB make werkzeug's test client leak a temp file: keep them small
        [(STEREO.read_bytes()[:200_000], "stereo.wav"), (MONO.read_bytes(), "mono.WAV")],
        agent_id=str(agent_id),
        started_at="2026-11-20T09:30",
        customer_ref="CUST-77",
        direction="outbound",
        queue="cards",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 recording(s) uploaded and queued for transcription." in page
    with app.app_context():
        rows = list(db.session.scalars(select(Interaction).order_by(Interaction.id)))
        assert len(rows) == 2
        for row in rows:
            assert row.status is Status.RECEIVED
            assert (row.agent_id, row.customer_ref, row.queue) == (agent_id, "CUST-77", "cards")
            assert row.direction is Direction.OUTBOUND
            assert row.started_at == datetime(2026, 11, 20, 9, 30)
        stored = path_for(app.config["STORAGE_DIR"], rows[0].recording.storage_key)
        assert stored.read_bytes() == STEREO.read_bytes()[:200_000]
        assert rows[1].recording.format == "wav"
        assert [j.interaction_id for j in sent] == [r.id for r in rows]
        assert all(j.queue == "transcription" for j in sent)


def test_duplicate_upload_links_to_the_existing_interaction(
    app: Flask, client: FlaskClient, sent: SentJobs
) -> None:
    _signed_in(app, client)
    _post(client, [(STEREO.read_bytes(), "first.wav")])
    response = _post(client, [(STEREO.read_bytes(), "again.wav")])
    assert response.status_code == 302
    page = client.get("/calls/").get_data(as_text=True)
    with app.app_context():
        assert _count(Recording) == 1 and _count(Interaction) == 1
        existing = db.session.scalar(select(Interaction.id))
    assert (
        f'again.wav was uploaded before: <a href="/calls/{existing}">'
        f"see interaction #{existing}</a>" in page
    )
    assert len(sent) == 1


def test_wrong_file_type_is_refused_with_a_clear_error(
    app: Flask, client: FlaskClient, sent: SentJobs
) -> None:
    _signed_in(app, client)
    response = _post(client, [(b"name,total\n", "report.csv")])
    assert response.status_code == 200
    assert "Only audio recordings: flac, m4a, mp3, ogg, opus, wav, webm." in response.get_data(
        as_text=True
    )
    response = _post(client, [(b"<html>not audio</html>", "call.wav")])
    assert response.status_code == 422
    assert "call.wav: the content is not a wav recording" in response.get_data(as_text=True)
    with app.app_context():
        assert _count(Interaction) == 0 and _count(Recording) == 0
    assert sent == []


def test_upload_without_a_file_asks_for_one(
    app: Flask, client: FlaskClient, sent: SentJobs
) -> None:
    _signed_in(app, client)
    response = client.post(
        "/calls/upload",
        data={
            "csrf_token": csrf_token(client, "/calls/upload"),
            "direction": "inbound",
            "agent_id": "0",
        },
    )
    assert "Choose at least one recording." in response.get_data(as_text=True)


def test_too_large_upload_gets_the_413_page(
    app: Flask, client: FlaskClient, sent: SentJobs
) -> None:
    _signed_in(app, client)
    token = csrf_token(client, "/calls/upload")
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    try:
        response = client.post(
            "/calls/upload",
            data={"csrf_token": token, "files": [(io.BytesIO(STEREO.read_bytes()), "big.wav")]},
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert "Upload too large" in response.get_data(as_text=True)
    assert sent == []


def test_agents_and_trainers_cannot_upload(app: Flask, client: FlaskClient, sent: SentJobs) -> None:
    _signed_in(app, client, Role.AGENT)
    response = client.post(
        "/calls/upload",
        data={
            "csrf_token": csrf_token(client, "/calls/"),
            "files": [(io.BytesIO(STEREO.read_bytes()), "x.wav")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    with app.app_context():
        assert _count(Interaction) == 0


def _failed_interaction(app: Flask, agent_id: int | None = None) -> int:
    with app.app_context():
        interaction = make_interaction(status=Status.FAILED)
        interaction.agent_id = agent_id
        interaction.error = "call.wav: the audio data is corrupt or truncated"
        interaction.attempts = 1
        db.session.commit()
        return interaction.id


def test_failed_call_shows_reason_and_reviewer_can_retry(
    app: Flask, client: FlaskClient, sent: SentJobs
) -> None:
    interaction_id = _failed_interaction(app)
    _signed_in(app, client)
    page = client.get(f"/calls/{interaction_id}").get_data(as_text=True)
    assert "Processing failed: call.wav: the audio data is corrupt or truncated" in page
    assert "Retry processing" in page
    token = csrf_token(client, f"/calls/{interaction_id}")
    response = client.post(f"/calls/{interaction_id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        interaction = db.session.get(Interaction, interaction_id)
        # it has a transcript, so only scoring starts over
        assert interaction.status is Status.TRANSCRIBED
        assert interaction.error is None and interaction.attempts == 0
    assert [j.interaction_id for j in sent] == [interaction_id]
    # retrying what is not failed is refused
    client.post(f"/calls/{interaction_id}/retry", data={"csrf_token": token})
    assert len(sent) == 1


def test_agent_sees_failure_but_cannot_retry_and_never_others(
    app: Flask, client: FlaskClient, sent: SentJobs
) -> None:
    with app.app_context():
        mine, theirs = make_agent(), make_agent()
        other = make_interaction(theirs, status=Status.TRANSCRIBING)
        other.progress = 40
        db.session.commit()
        mine_id, other_id = mine.id, other.id
    own = _failed_interaction(app, mine_id)
    with app.app_context():
        _signed_in(app, client, Role.AGENT, agent=db.session.get(Agent, mine_id))
    page = client.get(f"/calls/{own}").get_data(as_text=True)
    assert "Processing failed" in page and "Retry processing" not in page
    assert client.get(f"/calls/{other_id}").status_code == 404
    token = csrf_token(client, f"/calls/{own}")
    assert client.post(f"/calls/{own}/retry", data={"csrf_token": token}).status_code == 403
    feed = client.get(f"/calls/status.json?ids={own},{other_id}").get_json()
    assert set(feed) == {str(own)}
    assert feed[str(own)]["status"] == "failed"
    assert sent == []


def test_status_feed_reports_progress(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        row = make_interaction(status=Status.TRANSCRIBING)
        row.progress = 63
        db.session.commit()
        row_id = row.id
    _signed_in(app, client)
    feed = client.get(f"/calls/status.json?ids={row_id},abc").get_json()
    assert feed == {str(row_id): {"status": "transcribing", "progress": 63, "error": None}}
    page = client.get(f"/calls/{row_id}").get_data(as_text=True)
    assert f'data-poll-id="{row_id}"' in page and "calls.js" in page
