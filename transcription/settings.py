"""Transcription settings: one frozen dataclass, validated once, passed to every step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TranscriptionSettings"]

SPEAKER_CHOICES = ("auto", "channels", "embedded", "pyannote")
AGENT_CHANNELS = ("auto", "left", "right")


@dataclass(frozen=True)
class TranscriptionSettings:
    """What to run and how.

    :param model: ``base`` (default, assembled into ``instance_dir``), ``tiny.en`` (fast) or the
        path of any CTranslate2 Whisper model directory.
    :param compute_type: CTranslate2 compute type; ``int8`` is the fast CPU choice.
    :param beam_size: telephone audio loses words with greedy decoding (1), so 5 by default.
    :param language: ISO code, or ``None`` to let Whisper detect it.
    :param speaker_mode: ``auto`` picks ``channels`` for two distinct channels, else
        ``pyannote`` when a pipeline is configured, else ``embedded``.
    :param agent_channel: which stereo channel holds the agent, or ``auto`` to detect it.
    :param max_duration: longest recording accepted, in seconds.
    :param instance_dir: where the base model is assembled (written once).
    :param chunk_seconds: audio is decoded and transcribed this many seconds at a time, which
        bounds memory on long calls.
    :param cpu_threads: CTranslate2 threads, 0 for its default.
    :param pyannote_pipeline: local pyannote pipeline directory (optional extra).
    """

    model: str = "base"
    compute_type: str = "int8"
    beam_size: int = 5
    language: str | None = "en"
    speaker_mode: str = "auto"
    agent_channel: str = "auto"
    max_duration: float = 4 * 3600.0
    instance_dir: Path | None = None
    chunk_seconds: float = 600.0
    cpu_threads: int = 0
    pyannote_pipeline: Path | None = None

    def __post_init__(self) -> None:
        if self.speaker_mode not in SPEAKER_CHOICES:
            raise ValueError(f"speaker_mode must be one of {', '.join(SPEAKER_CHOICES)}")
        if self.agent_channel not in AGENT_CHANNELS:
            raise ValueError(f"agent_channel must be one of {', '.join(AGENT_CHANNELS)}")
        if self.beam_size < 1:
            raise ValueError("beam_size must be at least 1")
        if self.max_duration <= 0:
            raise ValueError("max_duration must be positive")
        if self.chunk_seconds < 30:
            raise ValueError("chunk_seconds must be at least 30")

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: object) -> TranscriptionSettings:
        """Build settings from ``CALLQA_*`` variables; the caller passes the mapping it owns."""
        values: dict[str, object] = {}
        names = {
            "CALLQA_WHISPER_MODEL": ("model", str),
            "CALLQA_WHISPER_COMPUTE_TYPE": ("compute_type", str),
            "CALLQA_WHISPER_BEAM_SIZE": ("beam_size", int),
            "CALLQA_LANGUAGE": ("language", str),
            "CALLQA_SPEAKER_MODE": ("speaker_mode", str),
            "CALLQA_AGENT_CHANNEL": ("agent_channel", str),
            "CALLQA_MAX_DURATION": ("max_duration", float),
            "CALLQA_INSTANCE_DIR": ("instance_dir", Path),
            "CALLQA_PYANNOTE_PIPELINE": ("pyannote_pipeline", Path),
        }
        for var, (name, convert) in names.items():
            if env.get(var):
                values[name] = convert(env[var])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
