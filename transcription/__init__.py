"""Recorded calls to speaker-attributed transcripts, offline (faster-whisper + speaker labels).

Importing this package loads no model and no heavy library; `transcribe` does that on first use.
"""

from .errors import (
    AudioError,
    AudioTooLong,
    CorruptAudio,
    EmptyAudio,
    MissingAudio,
    ModelError,
    NotAudio,
    SilentAudio,
    TranscriptionError,
)
from .pipeline import Progress, transcribe
from .settings import TranscriptionSettings
from .types import AudioInfo, Segment, SpeakerRoles, Transcript, Word

__all__ = [
    "AudioError",
    "AudioInfo",
    "AudioTooLong",
    "CorruptAudio",
    "EmptyAudio",
    "MissingAudio",
    "ModelError",
    "NotAudio",
    "Progress",
    "Segment",
    "SilentAudio",
    "SpeakerRoles",
    "Transcript",
    "TranscriptionError",
    "TranscriptionSettings",
    "Word",
    "transcribe",
]
