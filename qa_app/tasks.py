"""Celery tasks: transcribe -> persist -> score. The only caller of the transcription pipeline.

Each task is idempotent: it first claims its job in the database (``qa_app.calls.jobs``), so a
duplicate, stale or redelivered message does nothing, and a lost one is re-sent by the sweep.
The task boundary commits; the services only flush.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from celery import Celery
from flask import Flask, current_app

import scoring
import transcription
from qa_app import storage
from qa_app.analytics import emerging, rollup
from qa_app.calls import jobs
from qa_app.calls.jobs import Job, NewSegment, NewTranscript, Stage
from qa_app.calls.models import Interaction
from qa_app.calls.services import get_interaction
from qa_app.extensions import SQLITE_AUTO_BEGIN, celery, db
from qa_app.reviews.services import active_rubric
from qa_app.reviews.suggestions import score_interaction
from qa_app.tagging.ingest import analyse_or_note

log = logging.getLogger(__name__)

Transcriber = Callable[..., transcription.Transcript]
PROGRESS_EVERY_S = 1.0


class Superseded(Exception):
    """Another job took this interaction over (our lease ran out); stop without writing."""


# --- sending ---


def enqueue(pending: Iterable[Job | None]) -> int:
    """Send the jobs (after the commit that created them). A broker that is down is logged,
    not raised: the interaction keeps its queued status and the sweep sends it again."""
    sent = 0
    for job in pending:
        if job is None:
            continue
        task = transcribe_task if job.stage is Stage.TRANSCRIBE else score_task
        try:
            task.apply_async(
                (job.interaction_id, job.job_id),
                queue=job.queue,
                countdown=job.countdown or None,
            )
            sent += 1
        except Exception:  # noqa: BLE001  (any broker error: the sweep is the safety net)
            log.exception("could not send %s job for interaction %s", job.stage, job.interaction_id)
    return sent


def sweep_and_enqueue() -> int:
    """Re-send the jobs whose lease ran out; run periodically by ``flask worker``."""
    pending = jobs.sweep()
    db.session.commit()
    if pending:
        log.warning("sweep: re-sending %d lost job(s): %s", len(pending), pending)
    sent = enqueue(pending)
    resend_tagging_runs()
    refresh_analytics_rollup()
    emerging.refresh_snapshot_if_due()  # logs its failures; never stops the sweep
    return sent


def resend_tagging_runs() -> None:
    """Taxonomy back-tests and re-tags lost by a dead worker or a down broker (issue 9)."""
    from qa_app.tagging import runs  # the tagging feature imports this module lazily too

    try:
        resend = runs.sweep_runs()
        db.session.commit()
    except Exception:  # noqa: BLE001  (never stops the job sweep)
        db.session.rollback()
        log.exception("sweeping tagging runs failed; trying again later")
        return
    for run_id in resend:
        runs.send_run(run_id)


def refresh_analytics_rollup() -> None:
    """Keep the hourly analytics rollup fresh (only once one was built; at most every few
    minutes). A failure is logged: the pages fall back to the raw query when it goes stale."""
    try:
        if rollup.refresh_if_due():
            db.session.commit()
    except Exception:  # noqa: BLE001  (analytics must never stop the job sweep)
        db.session.rollback()
        log.exception("analytics rollup refresh failed; trying again later")


# --- the tasks ---


@celery.task(name="qa_app.tasks.transcribe", ignore_result=True)
def transcribe_task(interaction_id: int, job_id: str) -> str:
    return run_transcription(interaction_id, job_id)


@celery.task(name="qa_app.tasks.score", ignore_result=True)
def score_task(interaction_id: int, job_id: str) -> str:
    return run_scoring(interaction_id, job_id)


@celery.task(name="qa_app.tasks.sweep", ignore_result=True)
def sweep_task() -> int:
    return sweep_and_enqueue()


@celery.task(name="qa_app.tasks.tagging_run", ignore_result=True)
def tagging_run_task(run_id: int) -> str:
    return run_tagging(run_id)


def run_tagging(run_id: int) -> str:
    """A taxonomy back-test or re-tag (issue 9): claim the run, report progress in commits of
    their own (the page polls them), store the result or the error."""
    from qa_app.tagging import runs  # the tagging feature imports this module lazily too

    run = runs.claim_run(run_id)
    if run is None:
        db.session.rollback()
        return "skipped"
    db.session.commit()
    last = [0.0]

    def progress(step: str, completed: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S or completed >= total:
            last[0] = now
            runs.record_progress(run, step, completed, total)
            db.session.commit()

    try:
        result = runs.execute_run(run, progress)
    except Exception as exc:  # noqa: BLE001  (stored on the run for the page to show)
        log.exception("tagging run %s failed", run_id)
        db.session.rollback()
        runs.fail_run(run_id, f"{type(exc).__name__}: {exc}")
        db.session.commit()
        return "failed"
    runs.finish_run(run, result)
    db.session.commit()
    return "done"


def transcription_settings(config: dict[str, Any]) -> transcription.TranscriptionSettings:
    pipeline = config.get("PYANNOTE_PIPELINE")
    return transcription.TranscriptionSettings(
        model=config["WHISPER_MODEL"],
        compute_type=config["WHISPER_COMPUTE_TYPE"],
        speaker_mode=config["SPEAKER_MODE"],
        agent_channel=config["AGENT_CHANNEL"],
        instance_dir=Path(config["INSTANCE_DIR"]),
        pyannote_pipeline=Path(pipeline) if pipeline else None,
    )


class _ProgressReporter:
    """The pipeline's progress callback: stores the percent and renews the lease, at most once
    a second, and stops the work when another job has taken over."""

    def __init__(self, interaction_id: int, job_id: str) -> None:
        self.interaction_id = interaction_id
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, step: str, completed: float, total: float) -> None:
        now = time.monotonic()
        if step != "transcribe" or total <= 0 or now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        percent = min(99, int(100 * completed / total))
        owned = jobs.heartbeat(self.interaction_id, self.job_id, percent)
        db.session.commit()
        if not owned:
            raise Superseded


def run_transcription(
    interaction_id: int, job_id: str, transcribe: Transcriber | None = None
) -> str:
    """Claim, transcribe, store (replacing any earlier transcript), then queue scoring."""
    if not jobs.claim(interaction_id, job_id, Stage.TRANSCRIBE):
        db.session.rollback()
        return "skipped"
    db.session.commit()
    interaction = db.session.get(Interaction, interaction_id)
    assert interaction is not None and interaction.recording is not None
    config = current_app.config
    path = storage.path_for(config["STORAGE_DIR"], interaction.recording.storage_key)
    db.session.commit()  # end the read: progress reports write in transactions of their own
    run = transcribe or transcription.transcribe
    try:
        result = run(
            path, transcription_settings(config), _ProgressReporter(interaction_id, job_id)
        )
    except Superseded:
        db.session.rollback()
        return "superseded"
    except transcription.TranscriptionError as exc:
        return _failed(interaction_id, job_id, Stage.TRANSCRIBE, str(exc), exc.permanent)
    except Exception as exc:  # noqa: BLE001  (unexpected: transient until retries run out)
        log.exception("transcription of interaction %s failed", interaction_id)
        return _failed(interaction_id, job_id, Stage.TRANSCRIBE, f"{type(exc).__name__}: {exc}")
    db.session.rollback()  # nothing pending; start the write transaction fresh
    next_job = jobs.store_transcript(interaction_id, job_id, transcript_data(result))
    if next_job is None:
        db.session.rollback()
        return "superseded"
    db.session.commit()
    enqueue([next_job])
    return "transcribed"


def run_scoring(interaction_id: int, job_id: str) -> str:
    """Score with the active rubric (replacing earlier suggestions) and mark the call ready."""
    if not jobs.claim(interaction_id, job_id, Stage.SCORE):
        db.session.rollback()
        return "skipped"
    db.session.commit()
    jobs.lock_row(interaction_id)  # write lock before the reads (SQLite; see lock_row)
    interaction = get_interaction(interaction_id)
    assert interaction is not None
    note = None
    try:
        rubric = active_rubric()
        if rubric is None:
            note = "not scored: no active rubric"
        else:
            score_interaction(interaction, rubric)
    except scoring.InputError as exc:
        db.session.rollback()
        note = f"not scored: {exc}"
    except Exception as exc:  # noqa: BLE001
        log.exception("scoring of interaction %s failed", interaction_id)
        return _failed(interaction_id, job_id, Stage.SCORE, f"{type(exc).__name__}: {exc}")
    # tags and mood (issues 9, 10); a failure there is noted, never fails the call
    note = "; ".join(n for n in (note, analyse_or_note(interaction_id)) if n) or None
    if not jobs.finish(interaction_id, job_id, note):
        db.session.rollback()
        return "superseded"
    db.session.commit()
    return "ready"


def _failed(
    interaction_id: int, job_id: str, stage: Stage, reason: str, permanent: bool = False
) -> str:
    db.session.rollback()
    again = jobs.fail(interaction_id, job_id, stage, reason, permanent)
    db.session.commit()
    if again is not None:
        enqueue([again])
        return "retrying"
    return "failed"


def _spaced(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``redact_segment`` joins words as faster-whisper writes them, each with its leading
    space; the transcription library stores them stripped."""
    return [
        w if str(w["word"])[:1].isspace() else {**w, "word": " " + str(w["word"])} for w in words
    ]


def transcript_data(result: transcription.Transcript) -> NewTranscript:
    """The library's transcript in the app's shape, each segment redacted from its words."""
    segments = []
    context = ""
    for seg in result.segments:
        words = [w.to_dict() for w in seg.words]
        if words:
            redacted = scoring.redact_segment(_spaced(words), context).text
        else:
            redacted = scoring.redact_text(seg.text, context).text
        context = f"{context} {seg.text}"[-300:]  # cue words ("security code?") said just before
        segments.append(
            NewSegment(
                speaker=seg.speaker,
                start=seg.start,
                end=seg.end,
                text=seg.text,
                redacted_text=redacted,
                confidence=seg.confidence,
                words=words,
            )
        )
    roles = result.roles
    return NewTranscript(
        engine=result.engine,
        model=result.model,
        language=result.language,
        speaker_mode=result.speaker_mode,
        agent_channel_confidence=roles.confidence if roles else None,
        duration_s=result.audio.duration,
        channels=result.audio.channels,
        sample_rate=result.audio.sample_rate,
        segments=tuple(segments),
    )


def configure_worker(app: Flask) -> Celery:
    """Worker-process settings on top of ``init_celery``; the tasks above are registered."""
    import warnings

    from kombu.transport import sqlalchemy as kombu_sqlalchemy

    # kombu's SQLAlchemy transport calls noload(), deprecated in SQLAlchemy 2.1
    warnings.filterwarnings("ignore", message=".*noload.*", category=DeprecationWarning)
    # polling_interval in broker_transport_options reaches create_engine and crashes the
    # worker; the class attribute is the knob that works (DESIGN.md, Celery pitfalls)
    kombu_sqlalchemy.Transport.polling_interval = 0.5
    worker = app.extensions["celery"]
    if worker.conf.broker_url.startswith("sqla+"):
        worker.conf.worker_enable_remote_control = False  # the transport has no fanout
        # kombu takes the SQLite write lock itself (BEGIN IMMEDIATE); the app's automatic
        # BEGIN (extensions.py) would nest a transaction inside it
        worker.conf.broker_transport_options = {
            **(worker.conf.broker_transport_options or {}),
            "execution_options": {SQLITE_AUTO_BEGIN: False},
        }
    return worker
