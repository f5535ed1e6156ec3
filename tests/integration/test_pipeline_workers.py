"""The processing pipeline with real components: Celery worker processes, tiny.en, and
either Redis + PostgreSQL (scale-out) or the embedded default (SQLite broker and database)."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa

import scoring
from qa_app import create_app
from qa_app.calls.commands import prune_broker
from qa_app.calls.jobs import Job
from qa_app.calls.services import CallMetadata, IncomingFile, ingest_recording
from qa_app.extensions import db
from qa_app.reviews.suggestions import store_rubric
from tests.integration.pipeline_helpers import Worker, require_port, send, wait_for
from tests.qa_app.conftest import fresh_postgres_database

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[1] / "data" / "transcription"
STEREO = DATA / "contoso_agent_right_8k_ulaw.wav"
PG_URL = os.environ.get(
    "CALLQA_TEST_PIPELINE_PG_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/callqa_pipeline_test",
)
REDIS_URL = os.environ.get("CALLQA_TEST_PIPELINE_REDIS_URL", "redis://127.0.0.1:6379/14")


def _prepare(config: dict[str, Any]) -> None:
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        store_rubric(scoring.default_rubric(), activate=True)
        db.session.commit()
        db.engine.dispose()


def _ingest(config: dict[str, Any], data: bytes, name: str) -> Job:
    app = create_app(config)
    with app.app_context():
        result = ingest_recording(
            IncomingFile(name, io.BytesIO(data)), CallMetadata(queue="cards"), config["STORAGE_DIR"]
        )
        assert result.job is not None, result
        db.session.commit()
        db.engine.dispose()
        return result.job


class Rows:
    """Reads the database the workers write, without any ORM caching."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)

    def one(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).one_or_none()

    def status(self, interaction_id: int) -> Any:
        return self.one(
            "SELECT status, progress, attempts, error FROM interactions WHERE id = :id",
            id=interaction_id,
        )

    def transcripts(self, interaction_id: int) -> int:
        return self.one(
            "SELECT count(*) FROM transcripts WHERE interaction_id = :id", id=interaction_id
        )[0]


@pytest.fixture
def scale_out(tmp_path: Path) -> Iterator[dict[str, Any]]:
    require_port(6379, "Redis")
    require_port(5432, "PostgreSQL")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    config = {
        "DATABASE_URL": fresh_postgres_database(PG_URL),
        "BROKER_URL": REDIS_URL,
        "RESULT_BACKEND": REDIS_URL,
        "STORAGE_DIR": str(tmp_path / "instance" / "recordings"),
        "SECRET_KEY": "integration",
        "WHISPER_MODEL": "tiny.en",
        # short, so the lost job is noticed quickly; long enough that a worker slowed down by
        # a busy machine still renews it in time
        "JOB_LEASE_SECONDS": 8,
        "JOB_MAX_ATTEMPTS": 5,
    }
    _prepare(config)
    yield config
    client.flushdb()
    client.close()


def test_worker_killed_mid_transcription_is_finished_by_another(
    scale_out: dict[str, Any], tmp_path: Path
) -> None:
    rows = Rows(scale_out["DATABASE_URL"])
    job = _ingest(scale_out, STEREO.read_bytes(), STEREO.name)
    first = Worker(scale_out, tmp_path / "a.log", supervised=False, name="a")
    second = None
    try:
        send(scale_out["BROKER_URL"], job)
        wait_for(
            # first channel of two: well before the end
            lambda: (s := rows.status(job.interaction_id)) and s.status == "transcribing"
            and 0 < s.progress < 50,
            timeout=180,
            what="the first worker to be transcribing",
            workers=(first,),
        )  # fmt: skip
        first.kill_all()
        assert rows.status(job.interaction_id).status == "transcribing", first.output()
        assert rows.transcripts(job.interaction_id) == 0

        second = Worker(scale_out, tmp_path / "b.log", supervised=True, name="b")
        wait_for(
            lambda: rows.status(job.interaction_id).status in ("ready", "failed"),
            timeout=240,
            what="the second worker to finish the call",
            workers=(first, second),
        )
        final = rows.status(job.interaction_id)
        assert final.status == "ready", (final, second.output())
        assert rows.transcripts(job.interaction_id) == 1
        text = rows.one(
            "SELECT string_agg(s.text, ' ') FROM segments s JOIN transcripts t "
            "ON t.id = s.transcript_id WHERE t.interaction_id = :id AND s.speaker = 'agent'",
            id=job.interaction_id,
        )[0]
        assert "contoso" in text.lower()
        suggestions = rows.one(
            "SELECT count(*) FROM score_suggestions WHERE interaction_id = :id",
            id=job.interaction_id,
        )[0]
        assert suggestions >= 6
        assert "re-sending 1 lost job" in second.output()
        # `flask worker` passes one SIGTERM on and waits: a clean, complete stop
        assert second.stop() == 0, second.output()
    finally:
        first.close()
        if second is not None:
            second.close()
        rows.engine.dispose()


def test_embedded_default_processes_calls_and_keeps_failures(tmp_path: Path) -> None:
    """No server at all: SQLite database, SQLite broker, one `flask worker`."""
    instance = tmp_path / "instance"
    instance.mkdir()
    config = {
        "DATABASE_URL": f"sqlite:///{instance / 'callqa.db'}",
        "BROKER_URL": f"sqla+sqlite:///{instance / 'broker.db'}",
        "RESULT_BACKEND": f"db+sqlite:///{instance / 'results.db'}",
        "STORAGE_DIR": str(instance / "recordings"),
        "SECRET_KEY": "integration",
        "WHISPER_MODEL": "tiny.en",
    }
    _prepare(config)
    rows = Rows(config["DATABASE_URL"])
    good = _ingest(config, STEREO.read_bytes(), STEREO.name)
    bad = _ingest(config, b"RIFF\x24\x00\x00\x00WAVEfmt " + os.urandom(200), "broken.wav")
    worker = Worker(config, tmp_path / "w.log", supervised=True, name="embedded")
    try:
        send(config["BROKER_URL"], bad)
        send(config["BROKER_URL"], good)
        wait_for(
            lambda: (
                rows.status(good.interaction_id).status == "ready"
                and rows.status(bad.interaction_id).status == "failed"
            ),
            timeout=240,
            what="one call ready and one failed",
            workers=(worker,),
        )
        failed = rows.status(bad.interaction_id)
        assert failed.attempts == 1  # bad audio is not retried
        assert failed.error and "\n" not in failed.error
        assert rows.transcripts(good.interaction_id) == 1
        first_line = rows.one(
            "SELECT s.text, s.redacted_text FROM segments s JOIN transcripts t "
            "ON t.id = s.transcript_id WHERE t.interaction_id = :id ORDER BY s.start_s LIMIT 1",
            id=good.interaction_id,
        )
        assert first_line.redacted_text == first_line.text  # a greeting: nothing to redact
        stored = rows.one("SELECT storage_key FROM recordings ORDER BY id DESC LIMIT 1")[0]
        assert (instance / "recordings" / stored).exists()  # kept although it failed
        celery_pid = int(re.search(r"worker pid (\d+)", worker.output()).group(1))
        assert worker.stop() == 0, worker.output()
        with pytest.raises(ProcessLookupError):
            os.kill(celery_pid, 0)  # the Celery main process stopped with its supervisor
        assert prune_broker(config["BROKER_URL"]) >= 2  # consumed messages are cleaned up
    finally:
        worker.close()
        rows.engine.dispose()
        shutil.rmtree(instance / "recordings", ignore_errors=True)
