"""Demo data of the review workflow: a synthetic recording laid out like the first demo call's
transcript (so the player, seeking and evidence playback can be tried without real call audio)
and a small review queue holding that call."""

from __future__ import annotations

import io
import math
import struct
import wave

from flask import current_app
from sqlalchemy import select

from qa_app.calls.models import Interaction, Recording, Speaker
from qa_app.extensions import db
from qa_app.reviews.models import QueueEntry, ReviewQueue
from qa_app.storage import store_stream

RATE = 8000
PITCH = {Speaker.AGENT: 180.0, Speaker.CUSTOMER: 260.0, Speaker.UNKNOWN: 220.0}


def synth_wav(segments: list[tuple[Speaker, float, float]], duration: float) -> bytes:
    """A hum per spoken segment (one pitch per speaker, syllable-like pulses), silence between."""
    frames = bytearray(struct.pack("<h", 0) * int(duration * RATE))
    for speaker, start, end in segments:
        pitch = PITCH[speaker]
        for n in range(int(start * RATE), min(int(end * RATE), len(frames) // 2)):
            t = n / RATE
            envelope = 0.5 + 0.5 * math.sin(2 * math.pi * 4 * t)  # about four syllables a second
            sample = 0.3 * envelope * math.sin(2 * math.pi * pitch * t)
            struct.pack_into("<h", frames, 2 * n, int(sample * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def ensure_demo_recording(external_id: str = "demo-1") -> Recording | None:
    """Attach a synthetic recording to one demo call (idempotent)."""
    interaction = db.session.scalar(
        select(Interaction).where(Interaction.external_id == external_id)
    )
    if interaction is None or interaction.recording_id is not None or not interaction.transcript:
        return None
    segments = [(s.speaker, s.start_s, s.end_s) for s in interaction.transcript.segments]
    duration = (interaction.duration_s or max(e for _, _, e in segments)) + 0.5
    data = synth_wav(segments, duration)
    stored = store_stream(current_app.config["STORAGE_DIR"], io.BytesIO(data), ".wav")
    recording = db.session.scalar(select(Recording).where(Recording.sha256 == stored.sha256))
    if recording is None:
        recording = Recording(
            sha256=stored.sha256,
            storage_key=stored.storage_key,
            format="wav",
            channels=1,
            sample_rate=RATE,
            duration_s=duration,
            bytes=stored.bytes,
        )
        db.session.add(recording)
    interaction.recording = recording
    db.session.flush()
    return recording


DEMO_QUEUE = "Demo: calls to review"


def ensure_demo_queue(external_ids: tuple[str, ...] = ("demo-1",)) -> None:
    """A shared queue with the demo call that has audio (idempotent)."""
    queue = db.session.scalar(select(ReviewQueue).where(ReviewQueue.name == DEMO_QUEUE))
    if queue is None:
        queue = ReviewQueue(name=DEMO_QUEUE)
        db.session.add(queue)
        db.session.flush()
    for external_id in external_ids:
        interaction_id = db.session.scalar(
            select(Interaction.id).where(Interaction.external_id == external_id)
        )
        queued = db.session.scalar(
            select(QueueEntry.id).where(
                QueueEntry.queue_id == queue.id, QueueEntry.interaction_id == interaction_id
            )
        )
        if interaction_id is not None and queued is None:
            db.session.add(QueueEntry(queue_id=queue.id, interaction_id=interaction_id))
    db.session.flush()
