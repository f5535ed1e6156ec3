"""Shared pieces of the calls/pipeline tests: a recorded job sender and library transcripts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import transcription
from qa_app.calls.jobs import Job
from qa_app.calls.services import CallMetadata, IncomingFile, ingest_recording

DATA = Path(__file__).resolve().parents[1] / "data" / "transcription"
STEREO = DATA / "contoso_agent_right_8k_ulaw.wav"
MONO = DATA / "contoso_mono_8k_ulaw.wav"


class SentJobs(list):
    """Stands in for the broker: what would have been sent, in order."""

    def __call__(self, pending) -> int:  # type: ignore[no-untyped-def]
        jobs = [j for j in pending if j is not None]
        self.extend(jobs)
        return len(jobs)


@pytest.fixture(name="sent")
def sent_fixture(monkeypatch: pytest.MonkeyPatch) -> SentJobs:
    import qa_app.tasks

    recorder = SentJobs()
    monkeypatch.setattr(qa_app.tasks, "enqueue", recorder)
    return recorder


def ingest_bytes(app, data: bytes, name: str = "call.wav", **meta) -> Job:  # type: ignore[no-untyped-def]
    result = ingest_recording(
        IncomingFile(name, io.BytesIO(data)), CallMetadata(**meta), app.config["STORAGE_DIR"]
    )
    assert result.error is None and result.job is not None, result
    return result.job


def library_transcript(*turns: tuple[str, str], duration: float = 30.0) -> transcription.Transcript:
    """A Transcript as the library returns it, words included (what redaction reads)."""
    segments = []
    clock = 0.0
    for index, (speaker, text) in enumerate(turns):
        words = []
        for token in text.split():
            # stripped, as the transcription library stores them
            words.append(transcription.Word(clock, clock + 0.3, token, 0.9))
            clock += 0.35
        segments.append(
            transcription.Segment(
                index, speaker, words[0].start, words[-1].end, text, 0.9, tuple(words)
            )  # type: ignore[arg-type]
        )
        clock += 0.5
    return transcription.Transcript(
        audio=transcription.AudioInfo(duration, 2, 8000, "0" * 64),
        model="fake",
        language="en",
        speaker_mode="channels",
        segments=tuple(segments),
        roles=transcription.SpeakerRoles("cues", "right", 0.8),
    )


CALL = (
    ("agent", "Thank you for calling Contoso, this is Priya. This call is recorded."),
    ("customer", "Hi, I lost my card and I am really worried."),
    ("agent", "I am sorry, that is stressful. Can you read me the card number?"),
    ("customer", "four one one one one one one one one one one one one one one one"),
    ("agent", "Thanks, I have blocked the card and a new one is on its way."),
    ("customer", "Great, thank you."),
)
