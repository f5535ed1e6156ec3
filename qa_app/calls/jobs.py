"""Processing state of each interaction, kept in the database rather than in the broker.

The embedded broker (SQLAlchemy transport) loses the tasks a worker held when the whole worker
is SIGKILLed, and Redis redelivers only after its visibility timeout. So every job carries a
``job_id`` that must match the interaction's, a running job holds a lease it keeps renewing,
and :func:`sweep` hands out a new job when a lease runs out. A stale or duplicate message finds
another ``job_id`` (or a live lease) and does nothing: tasks are idempotent.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from qa_app.calls.models import Interaction, Recording, Segment, Speaker, Status, Transcript
from qa_app.extensions import db
from qa_app.timeutil import utcnow

# defaults; each can be overridden in the Flask config (tests shorten the lease)
LEASE_SECONDS = 120  # a running job renews this on every progress report
QUEUE_GRACE_SECONDS = 900  # how long a queued job may wait before the sweep assumes it lost
MAX_ATTEMPTS = 3  # transient failures and lost workers, together
RETRY_BACKOFF_SECONDS = 30
LONG_CALL_SECONDS = 20 * 60  # recordings above this go to the "long" queue...
LONG_CALL_BYTES = 40 * 1024 * 1024  # ...judged by size while the duration is unknown


class Stage(enum.StrEnum):
    TRANSCRIBE = "transcribe"
    SCORE = "score"


QUEUED = {Stage.TRANSCRIBE: Status.RECEIVED, Stage.SCORE: Status.TRANSCRIBED}
RUNNING = {Stage.TRANSCRIBE: Status.TRANSCRIBING, Stage.SCORE: Status.SCORING}


@dataclass(frozen=True)
class Job:
    """One message to send: which interaction, which stage, under which id, on which queue."""

    interaction_id: int
    job_id: str
    stage: Stage
    queue: str
    countdown: float = 0.0


def _setting(name: str, default: float) -> float:
    value = current_app.config.get(name)
    return float(default if value is None else value)


def lease_seconds() -> float:
    return _setting("JOB_LEASE_SECONDS", LEASE_SECONDS)


def queue_for(interaction: Interaction, stage: Stage) -> str:
    """Long recordings get their own queue so they never hold up short calls and scoring."""
    if stage is Stage.SCORE:
        return "default"
    recording = interaction.recording
    if recording is None:
        return "transcription"
    if recording.duration_s is not None:  # known once it was transcribed (retries)
        long_call = recording.duration_s > _setting("LONG_CALL_SECONDS", LONG_CALL_SECONDS)
    else:
        long_call = recording.bytes > _setting("LONG_CALL_BYTES", LONG_CALL_BYTES)
    return "long" if long_call else "transcription"


def prepare_job(interaction: Interaction, stage: Stage, countdown: float = 0.0) -> Job:
    """Put the interaction in the queued state of ``stage`` under a fresh job id."""
    interaction.job_id = uuid.uuid4().hex
    interaction.status = QUEUED[stage]
    interaction.progress = 0
    grace = _setting("QUEUE_GRACE_SECONDS", QUEUE_GRACE_SECONDS)
    interaction.lease_until = utcnow() + timedelta(seconds=grace + countdown)
    db.session.flush()
    return Job(interaction.id, interaction.job_id, stage, queue_for(interaction, stage), countdown)


def first_stage(interaction: Interaction) -> Stage:
    """Voice calls are transcribed first; text interactions and transcribed calls only scored."""
    if interaction.recording_id is not None and interaction.transcript is None:
        return Stage.TRANSCRIBE
    return Stage.SCORE


def claim(interaction_id: int, job_id: str, stage: Stage) -> bool:
    """Atomically take the job: only the current ``job_id``, only when no live lease holds it."""
    now = utcnow()
    result = db.session.execute(
        update(Interaction)
        .where(
            Interaction.id == interaction_id,
            Interaction.job_id == job_id,
            or_(
                Interaction.status == QUEUED[stage],
                and_(Interaction.status == RUNNING[stage], Interaction.lease_until < now),
            ),
        )
        .values(
            status=RUNNING[stage],
            lease_until=now + timedelta(seconds=lease_seconds()),
            attempts=Interaction.attempts + 1,
            progress=0,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def heartbeat(interaction_id: int, job_id: str, progress: int | None = None) -> bool:
    """Renew the lease (and store progress); False when another job has taken over."""
    values: dict[str, object] = {"lease_until": utcnow() + timedelta(seconds=lease_seconds())}
    if progress is not None:
        values["progress"] = max(0, min(100, progress))
    result = db.session.execute(
        update(Interaction)
        .where(Interaction.id == interaction_id, Interaction.job_id == job_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def lock_row(interaction_id: int) -> None:
    """Take the write lock first: a no-op UPDATE locks the row on PostgreSQL and the database
    on SQLite, where a transaction that read first and writes later fails with "database is
    locked" (instead of waiting) when another writer committed in between."""
    db.session.execute(
        update(Interaction)
        .where(Interaction.id == interaction_id)
        .values(job_id=Interaction.job_id)
        .execution_options(synchronize_session=False)
    )


def _owned(interaction_id: int, job_id: str) -> Interaction | None:
    """The interaction, row-locked, if ``job_id`` still owns it."""
    lock_row(interaction_id)
    interaction = db.session.scalar(
        select(Interaction)
        .where(Interaction.id == interaction_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if interaction is None or interaction.job_id != job_id:
        return None
    return interaction


@dataclass(frozen=True)
class NewSegment:
    """A transcript segment ready to store: the app's shape, redaction already applied."""

    speaker: str
    start: float
    end: float
    text: str
    redacted_text: str
    confidence: float | None
    words: list[dict[str, object]]


@dataclass(frozen=True)
class NewTranscript:
    engine: str
    model: str
    language: str
    speaker_mode: str
    agent_channel_confidence: float | None
    duration_s: float
    channels: int
    sample_rate: int
    segments: tuple[NewSegment, ...]


def store_transcript(interaction_id: int, job_id: str, data: NewTranscript) -> Job | None:
    """Replace the interaction's transcript (never a second one) and queue scoring.

    Returns ``None`` when the job was superseded: nothing is written then.
    """
    interaction = _owned(interaction_id, job_id)
    if interaction is None:
        return None
    if interaction.transcript is not None:
        interaction.transcript = None
        db.session.flush()  # the old rows go before the new ones claim interaction_id
    transcript = Transcript(
        engine=data.engine,
        model=data.model,
        language=data.language,
        speaker_mode=data.speaker_mode,
        agent_channel_confidence=data.agent_channel_confidence,
    )
    for position, seg in enumerate(data.segments):
        transcript.segments.append(
            Segment(
                position=position,
                speaker=Speaker(seg.speaker),
                start_s=seg.start,
                end_s=seg.end,
                text=seg.text,
                redacted_text=seg.redacted_text,
                confidence=seg.confidence,
                words=seg.words,
            )
        )
    interaction.transcript = transcript
    interaction.duration_s = data.duration_s
    recording: Recording | None = interaction.recording
    if recording is not None:
        recording.duration_s = data.duration_s
        recording.channels = data.channels
        recording.sample_rate = data.sample_rate
    interaction.error = None
    interaction.attempts = 0
    return prepare_job(interaction, Stage.SCORE)


def finish(interaction_id: int, job_id: str, note: str | None = None) -> bool:
    """Mark the interaction ready; False (write nothing) when the job was superseded."""
    interaction = _owned(interaction_id, job_id)
    if interaction is None:
        return False
    interaction.status = Status.READY
    interaction.progress = 100
    interaction.lease_until = None
    interaction.error = note
    interaction.attempts = 0
    db.session.flush()
    return True


def fail(
    interaction_id: int, job_id: str, stage: Stage, reason: str, permanent: bool
) -> Job | None:
    """Record a failure: permanent ones and exhausted retries stop; others are queued again."""
    interaction = _owned(interaction_id, job_id)
    if interaction is None:
        return None
    reason = " ".join(reason.split())[:1000] or "unknown error"
    limit = int(_setting("JOB_MAX_ATTEMPTS", MAX_ATTEMPTS))
    if permanent or interaction.attempts >= limit:
        interaction.status = Status.FAILED
        interaction.lease_until = None
        interaction.error = reason if permanent else f"{reason} (gave up after {limit} attempts)"
        db.session.flush()
        return None
    backoff = _setting("JOB_RETRY_BACKOFF_SECONDS", RETRY_BACKOFF_SECONDS) * interaction.attempts
    interaction.error = f"attempt {interaction.attempts} failed: {reason}; retrying"
    return prepare_job(interaction, stage, countdown=backoff)


def sweep(now: datetime | None = None) -> list[Job]:
    """New jobs for interactions whose job was lost: lease expired, or never sent at all.

    A worker lost mid-job counts as an attempt, so a recording that kills workers ends
    ``failed`` instead of looping.
    """
    now = now or utcnow()
    limit = int(_setting("JOB_MAX_ATTEMPTS", MAX_ATTEMPTS))
    waiting = [*QUEUED.values(), *RUNNING.values()]
    if db.session.get_bind().dialect.name == "sqlite":
        lock_row(-1)  # SQLite: lock before reading (see lock_row); PostgreSQL locks per row
    stale = db.session.scalars(
        select(Interaction)
        .where(
            Interaction.status.in_(waiting),
            or_(Interaction.lease_until < now, Interaction.lease_until.is_(None)),
        )
        .order_by(Interaction.id)
        .with_for_update(skip_locked=True)
    )
    jobs = []
    for interaction in stale:
        stage = (
            Stage.SCORE
            if interaction.status in (Status.TRANSCRIBED, Status.SCORING)
            else (Stage.TRANSCRIBE)
        )
        if interaction.status is RUNNING[stage] and interaction.attempts >= limit:
            interaction.status = Status.FAILED
            interaction.lease_until = None
            interaction.error = (
                f"processing was interrupted {interaction.attempts} times (worker lost); "
                "the recording is kept: retry when the cause is fixed"
            )
            continue
        jobs.append(prepare_job(interaction, stage))
    db.session.flush()
    return jobs


class NotRetryable(ValueError):
    """Only failed interactions are retried by hand; the others are on their way already."""


def retry(interaction: Interaction) -> Job:
    """Start a failed interaction over from the stage that failed; the recording never moved."""
    if interaction.status is not Status.FAILED:
        raise NotRetryable(
            f"interaction #{interaction.id} is {interaction.status.value}, not failed"
        )
    interaction.attempts = 0
    interaction.error = None
    return prepare_job(interaction, first_stage(interaction))
