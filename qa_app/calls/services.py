"""Finding interactions, always through what the user may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from qa_app import storage
from qa_app.auth.models import Role, User
from qa_app.calls.jobs import Job, Stage, prepare_job, retry
from qa_app.calls.models import Channel, Direction, Interaction, Recording, Status, Transcript
from qa_app.extensions import db
from qa_app.timeutil import utcnow

if TYPE_CHECKING:
    from qa_app.agents.models import Agent


def visible_interactions(user: User) -> Select[tuple[Interaction]]:
    """The base query of every interaction list: agents are limited to their own calls."""
    query = select(Interaction).options(joinedload(Interaction.agent))
    if user.role is Role.AGENT:
        if user.agent_id is None:
            return query.where(false())
        query = query.where(Interaction.agent_id == user.agent_id)
    return query


def list_interactions(
    user: User, status: str | None = None, tag: str | None = None
) -> Select[tuple[Interaction]]:
    """What the user may see, newest first; ``tag`` keeps those carrying it (not rejected)."""
    query = visible_interactions(user)
    if status in {s.value for s in Status}:
        query = query.where(Interaction.status == Status(status))
    if tag:
        from qa_app.tagging.filters import has_tag  # tagging imports this module

        query = query.where(has_tag(tag))
    return query.order_by(Interaction.started_at.desc(), Interaction.id.desc())


def recent_interactions(user: User, limit: int = 100) -> list[Interaction]:
    return list(db.session.scalars(list_interactions(user).limit(limit)))


def get_interaction(interaction_id: int) -> Interaction | None:
    return db.session.scalar(
        select(Interaction)
        .where(Interaction.id == interaction_id)
        .options(
            joinedload(Interaction.agent),
            joinedload(Interaction.transcript).selectinload(Transcript.segments),
            selectinload(Interaction.suggestions),
        )
    )


def recent_interactions_of_agent(
    agent_id: int, limit: int = 10, tag: str | None = None
) -> list[Interaction]:
    query = (
        select(Interaction)
        .where(Interaction.agent_id == agent_id)
        .options(joinedload(Interaction.agent))
        .order_by(Interaction.started_at.desc())
        .limit(limit)
    )
    if tag:
        from qa_app.tagging.filters import has_tag

        query = query.where(has_tag(tag))
    return list(db.session.scalars(query))


# --- ingest: recordings in, interactions out (web upload and bulk import share this) ---

# leading bytes of the containers the pipeline decodes; the suffix alone proves nothing
_MAGIC: tuple[tuple[int, bytes], ...] = (
    (0, b"RIFF"),  # wav
    (0, b"RF64"),  # wav over 4 GB
    (0, b"ID3"),  # mp3 with tags
    (0, b"OggS"),  # ogg, opus
    (0, b"fLaC"),  # flac
    (0, b"\x1a\x45\xdf\xa3"),  # webm / matroska
    (4, b"ftyp"),  # m4a / mp4
)


@dataclass(frozen=True)
class IncomingFile:
    """One uploaded or imported file: its original name (for messages only) and its bytes."""

    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class CallMetadata:
    agent_id: int | None = None
    started_at: datetime | None = None
    customer_ref: str | None = None
    direction: Direction = Direction.INBOUND
    queue: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class IngestResult:
    filename: str
    interaction_id: int | None = None
    duplicate: bool = False
    error: str | None = None
    job: Job | None = None


class RejectedFile(ValueError):
    """The file is not a recording we can process; the message says why, in one line."""


def sniff_audio(head: bytes, suffix: str) -> None:
    """Refuse files whose content is not an audio container, whatever their name says."""
    if suffix.lower() not in storage.ALLOWED_SUFFIXES:
        raise RejectedFile(
            f"unsupported file type {suffix or '(none)'}: "
            f"upload {', '.join(sorted(storage.ALLOWED_SUFFIXES))}"
        )
    if not head:
        raise RejectedFile("the file is empty")
    if any(head[at : at + len(magic)] == magic for at, magic in _MAGIC):
        return
    if suffix.lower() == ".mp3" and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return  # mp3 frame sync without tags
    raise RejectedFile(f"the content is not a {suffix.lstrip('.')} recording")


def ingest_recording(
    incoming: IncomingFile, meta: CallMetadata, storage_dir: str | Path
) -> IngestResult:
    """Store the file once by its hash and create its interaction, queued for transcription.

    A file already stored is not stored again: the result points at its existing interaction.
    """
    suffix = Path(incoming.filename).suffix.lower()
    head = incoming.stream.read(16)
    try:
        sniff_audio(head, suffix)
    except RejectedFile as exc:
        return IngestResult(incoming.filename, error=str(exc))
    incoming.stream.seek(0)
    stored = storage.store_stream(storage_dir, incoming.stream, suffix)
    recording = db.session.scalar(select(Recording).where(Recording.sha256 == stored.sha256))
    if recording is not None:
        existing = db.session.scalar(
            select(Interaction.id)
            .where(Interaction.recording_id == recording.id)
            .order_by(Interaction.id)
            .limit(1)
        )
        if existing is not None:
            return IngestResult(incoming.filename, interaction_id=existing, duplicate=True)
    else:
        recording = Recording(
            sha256=stored.sha256,
            storage_key=stored.storage_key,
            format=suffix.lstrip("."),
            bytes=stored.bytes,
        )
        db.session.add(recording)
    if meta.external_id and db.session.scalar(
        select(Interaction.id).where(Interaction.external_id == meta.external_id)
    ):
        return IngestResult(
            incoming.filename, error=f"external id {meta.external_id} is already used"
        )
    interaction = Interaction(
        channel=Channel.VOICE,
        agent_id=meta.agent_id,
        customer_ref=meta.customer_ref or None,
        queue=meta.queue or None,
        direction=meta.direction,
        external_id=meta.external_id or None,
        started_at=meta.started_at or utcnow(),
        recording=recording,
    )
    db.session.add(interaction)
    db.session.flush()
    job = prepare_job(interaction, Stage.TRANSCRIBE)
    return IngestResult(incoming.filename, interaction_id=interaction.id, job=job)


def agent_choices() -> list[tuple[int, str]]:
    from qa_app.agents.models import Agent  # agents' package imports this module

    return [(a.id, a.name) for a in db.session.scalars(select(Agent).order_by(Agent.name))]


def find_agent(reference: str) -> Agent | None:
    """An agent by employee reference, else by exact name (what a CSV export carries)."""
    from qa_app.agents.models import Agent

    reference = reference.strip()
    if not reference:
        return None
    return db.session.scalar(
        select(Agent).where(or_(Agent.employee_ref == reference, Agent.name == reference)).limit(1)
    )


def retry_interaction(interaction: Interaction) -> Job:
    """Retry from the UI: the recording is still there, only the work starts over."""
    return retry(interaction)


def interactions_to_rescore(
    ids: Sequence[int] = (),
    *,
    agent_id: int | None = None,
    since: datetime | None = None,
    everything: bool = False,
) -> list[Interaction]:
    """Interactions with a transcript matching the selection; no selection selects nothing."""
    if not (ids or agent_id or since or everything):
        return []
    query = (
        select(Interaction)
        .where(Interaction.transcript.has())
        .options(selectinload(Interaction.transcript).selectinload(Transcript.segments))
        .order_by(Interaction.id)
    )
    if ids:
        query = query.where(Interaction.id.in_(ids))
    if agent_id:
        query = query.where(Interaction.agent_id == agent_id)
    if since:
        query = query.where(Interaction.started_at >= since)
    return list(db.session.scalars(query))


def processing_counts() -> dict[str, int]:
    """How many interactions are in each status: the worker command prints this."""
    rows = db.session.execute(select(Interaction.status, func.count()).group_by(Interaction.status))
    return {status.value: count for status, count in rows}


def statuses_of(user: User, ids: Sequence[int]) -> list[Interaction]:
    """Only interactions the user may see; others are silently left out."""
    if not ids:
        return []
    return list(db.session.scalars(visible_interactions(user).where(Interaction.id.in_(ids[:200]))))


def send_jobs(pending: Iterable[Job | None]) -> int:
    """Send jobs to the workers; call it after the commit that created them."""
    from qa_app.tasks import enqueue  # tasks import this module: resolve at call time

    return enqueue(pending)
