"""Demo calls that go through the real pipeline: ``make demo`` seeds them as *received* and the
worker it starts transcribes and scores them within minutes (stereo per channel, mono with the
embedded diarizer). The audio is the project's own synthesized test calls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from qa_app.calls.models import Direction, Interaction
from qa_app.calls.services import CallMetadata, IncomingFile, find_agent, ingest_recording
from qa_app.extensions import db
from qa_app.timeutil import utcnow

AUDIO_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "transcription"
DEMO_AUDIO = [
    # external id, file, agent ref, queue, customer, hours ago
    ("demo-audio-1", "contoso_agent_right_8k_ulaw.wav", "A-1001", "cards", "CUST-5101", 2),
    ("demo-audio-2", "contoso_mono_8k_ulaw.wav", "A-1002", "cards", "CUST-5102", 3),
]


def ensure_pipeline_demo() -> int:
    """Add the demo recordings that are missing; returns how many interactions were created.

    They are left unsent (no lease): the first sweep of ``flask worker`` sends them, so seeding
    works while no worker or broker is running yet.
    """
    created = 0
    now = utcnow().replace(second=0, microsecond=0)
    for external_id, name, agent_ref, queue, customer, hours in DEMO_AUDIO:
        path = AUDIO_DIR / name
        exists = db.session.scalar(
            select(Interaction.id).where(Interaction.external_id == external_id)
        )
        if exists or not path.is_file():
            continue
        agent = find_agent(agent_ref)
        meta = CallMetadata(
            agent_id=agent.id if agent else None,
            started_at=now - timedelta(hours=hours),
            customer_ref=customer,
            direction=Direction.INBOUND,
            queue=queue,
            external_id=external_id,
        )
        with path.open("rb") as fh:
            result = ingest_recording(
                IncomingFile(name, fh), meta, current_app.config["STORAGE_DIR"]
            )
        if result.job is None:
            continue  # the same audio was uploaded by hand already
        interaction = db.session.get(Interaction, result.interaction_id)
        interaction.lease_until = None  # not sent yet: the worker's first sweep sends it
        created += 1
    db.session.flush()
    return created
