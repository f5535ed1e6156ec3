"""The processing tasks with a stand-in transcriber: states, idempotency, failures, the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

import scoring
import transcription
from qa_app.calls import jobs
from qa_app.calls.jobs import Stage
from qa_app.calls.models import Interaction, Segment, Status, Transcript
from qa_app.extensions import db
from qa_app.reviews.models import ScoreSuggestion
from qa_app.reviews.suggestions import store_rubric
from qa_app.tasks import run_scoring, run_transcription
from qa_app.timeutil import utcnow
from tests.qa_app.calls_helpers import (
    CALL,
    STEREO,
    SentJobs,
    ingest_bytes,
    library_transcript,
    sent_fixture,  # noqa: F401  (the `sent` fixture)
)


def fake(result: transcription.Transcript | Exception, calls: list | None = None):  # type: ignore[no-untyped-def]
    def run(path, settings, progress):  # type: ignore[no-untyped-def]
        if calls is not None:
            calls.append((path, settings))
        progress("transcribe", 15.0, 30.0)
        if isinstance(result, Exception):
            raise result
        return result

    return run


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_transcribe_then_score_stores_redacted_transcript_and_suggestions(
    app: Flask, sent: SentJobs
) -> None:
    with app.app_context():
        store_rubric(scoring.default_rubric(), activate=True)
        job = ingest_bytes(app, STEREO.read_bytes(), queue="cards")
        db.session.commit()
        calls: list = []
        assert (
            run_transcription(
                job.interaction_id, job.job_id, fake(library_transcript(*CALL), calls)
            )
            == "transcribed"
        )
        path, settings = calls[0]
        assert path.read_bytes() == STEREO.read_bytes()  # the stored, content-addressed copy
        assert settings.model == app.config["WHISPER_MODEL"]

        interaction = db.session.get(Interaction, job.interaction_id)
        assert interaction.status is Status.TRANSCRIBED
        segments = interaction.transcript.segments
        assert [s.speaker.value for s in segments] == [t[0] for t in CALL]
        assert segments[3].redacted_text == "[CARD]"  # spoken card number, redacted from words
        assert "four one one" in segments[3].text
        assert segments[0].words[0]["word"] == "Thank"
        assert segments[0].redacted_text == CALL[0][1]  # nothing to hide: text unchanged
        assert interaction.transcript.agent_channel_confidence == pytest.approx(0.8)
        assert interaction.recording.channels == 2 and interaction.recording.sample_rate == 8000
        assert [j.stage for j in sent] == [Stage.SCORE] and sent[0].queue == "default"

        assert run_scoring(job.interaction_id, sent[0].job_id) == "ready"
        interaction = db.session.get(Interaction, job.interaction_id)
        assert interaction.status is Status.READY and interaction.error is None
        assert interaction.ai_total is not None
        keys = {s.criterion.key for s in interaction.suggestions}
        assert {"greeting", "empathy", "resolution", "disclosure"} <= keys


def test_progress_is_stored_while_transcribing(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        job = ingest_bytes(app, STEREO.read_bytes())
        db.session.commit()
        seen = []

        def run(path, settings, progress):  # type: ignore[no-untyped-def]
            progress("transcribe", 12.0, 30.0)
            row = db.session.get(Interaction, job.interaction_id, populate_existing=True)
            seen.append((row.status, row.progress, row.lease_until > utcnow()))
            return library_transcript(*CALL)

        run_transcription(job.interaction_id, job.job_id, run)
        assert seen == [(Status.TRANSCRIBING, 40, True)]


def test_running_again_replaces_the_transcript_never_duplicates(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        job = ingest_bytes(app, STEREO.read_bytes())
        db.session.commit()
        run_transcription(job.interaction_id, job.job_id, fake(library_transcript(*CALL)))
        interaction = db.session.get(Interaction, job.interaction_id)
        again = jobs.prepare_job(interaction, Stage.TRANSCRIBE)
        db.session.commit()
        shorter = library_transcript(*CALL[:2])
        assert run_transcription(again.interaction_id, again.job_id, fake(shorter)) == "transcribed"
        assert _count(Transcript) == 1
        assert _count(Segment) == 2


def test_duplicate_or_stale_messages_do_nothing(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        job = ingest_bytes(app, STEREO.read_bytes())
        db.session.commit()
        assert (
            run_transcription(job.interaction_id, "stale-job-id", fake(library_transcript(*CALL)))
            == "skipped"
        )
        assert (
            run_transcription(job.interaction_id, job.job_id, fake(library_transcript(*CALL)))
            == "transcribed"
        )
        # the same message delivered twice: the job already moved on
        assert (
            run_transcription(job.interaction_id, job.job_id, fake(library_transcript(*CALL)))
            == "skipped"
        )
        assert _count(Transcript) == 1
        assert len(sent) == 1


def test_a_job_that_lost_its_lease_stops_without_writing(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        job = ingest_bytes(app, STEREO.read_bytes())
        db.session.commit()

        def taken_over(path, settings, progress):  # type: ignore[no-untyped-def]
            row = db.session.get(Interaction, job.interaction_id)
            row.job_id = "someone-else"  # the sweep handed the work to another job
            db.session.commit()
            progress("transcribe", 1.0, 30.0)
            return library_transcript(*CALL)

        assert run_transcription(job.interaction_id, job.job_id, taken_over) == "superseded"
        assert _count(Transcript) == 0


def test_bad_audio_fails_permanently_with_its_reason(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        job = ingest_bytes(app, STEREO.read_bytes())
        db.session.commit()
        error = transcription.CorruptAudio("call.wav: the audio data is corrupt or truncated")
        assert run_transcription(job.interaction_id, job.job_id, fake(error)) == "failed"
        interaction = db.session.get(Interaction, job.interaction_id)
        assert interaction.status is Status.FAILED
        assert interaction.error == "call.wav: the audio data is corrupt or truncated"
        assert interaction.attempts == 1
        assert sent == []  # not retried
        assert interaction.recording is not None  # the recording is kept


def test_transient_failures_retry_with_backoff_then_give_up(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        job = ingest_bytes(app, STEREO.read_bytes())
        db.session.commit()
        for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
            outcome = run_transcription(
                job.interaction_id, job.job_id, fake(OSError("disk hiccup"))
            )
            interaction = db.session.get(Interaction, job.interaction_id)
            if attempt < jobs.MAX_ATTEMPTS:
                assert outcome == "retrying"
                assert interaction.status is Status.RECEIVED
                assert f"attempt {attempt} failed: OSError: disk hiccup" in interaction.error
                job = sent[-1]
                assert job.countdown == jobs.RETRY_BACKOFF_SECONDS * attempt
            else:
                assert outcome == "failed"
                assert interaction.status is Status.FAILED
                assert "gave up after 3 attempts" in interaction.error
        assert len(sent) == jobs.MAX_ATTEMPTS - 1


def test_scoring_without_agent_turns_is_ready_with_a_note(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        store_rubric(scoring.default_rubric(), activate=True)
        job = ingest_bytes(app, STEREO.read_bytes())
        db.session.commit()
        only_customer = library_transcript(("customer", "Hello? Is anybody there?"))
        run_transcription(job.interaction_id, job.job_id, fake(only_customer))
        assert run_scoring(job.interaction_id, sent[0].job_id) == "ready"
        interaction = db.session.get(Interaction, job.interaction_id)
        assert interaction.status is Status.READY
        assert interaction.error.startswith("not scored:")
        assert _count(ScoreSuggestion) == 0


def test_sweep_resends_expired_jobs_and_leaves_live_ones(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        now = utcnow()
        lost = db.session.get(Interaction, ingest_bytes(app, STEREO.read_bytes()).interaction_id)
        live = db.session.get(Interaction, ingest_bytes(app, b"RIFF" + b"\0" * 64).interaction_id)
        never_sent = db.session.get(
            Interaction, ingest_bytes(app, b"RIFF" + b"\1" * 64).interaction_id
        )
        worn_out = db.session.get(
            Interaction, ingest_bytes(app, b"RIFF" + b"\2" * 64).interaction_id
        )
        lost.status, lost.lease_until, lost.attempts = (
            Status.TRANSCRIBING,
            now - timedelta(seconds=1),
            1,
        )
        old_job = lost.job_id
        live.status, live.lease_until = Status.TRANSCRIBING, now + timedelta(seconds=60)
        never_sent.lease_until = None
        worn_out.status, worn_out.lease_until = Status.SCORING, now - timedelta(seconds=1)
        worn_out.attempts = jobs.MAX_ATTEMPTS
        db.session.commit()

        pending = jobs.sweep()
        db.session.commit()
        assert {j.interaction_id for j in pending} == {lost.id, never_sent.id}
        assert lost.status is Status.RECEIVED and lost.job_id != old_job
        assert live.status is Status.TRANSCRIBING
        assert worn_out.status is Status.FAILED and "interrupted 3 times" in worn_out.error
        # the lost worker's message, if it ever comes back, is ignored
        assert run_transcription(lost.id, old_job, fake(library_transcript(*CALL))) == "skipped"


def test_long_recordings_go_to_their_own_queue(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        app.config["LONG_CALL_BYTES"] = 1000
        try:
            job = ingest_bytes(app, STEREO.read_bytes())
        finally:
            del app.config["LONG_CALL_BYTES"]
        short = ingest_bytes(app, b"RIFF" + b"\3" * 64)
        assert (job.queue, short.queue) == ("long", "transcription")
        interaction = db.session.get(Interaction, short.interaction_id)
        interaction.recording.duration_s = 3 * 3600.0  # known after a first transcription
        assert jobs.queue_for(interaction, Stage.TRANSCRIBE) == "long"
        assert jobs.queue_for(interaction, Stage.SCORE) == "default"
