"""Plain data the pipeline returns: frozen dataclasses and the JSON shape stored by the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["AudioInfo", "Role", "SpeakerRoles", "Segment", "Transcript", "Word"]

Role = Literal["agent", "customer", "unknown"]
ROLES: tuple[str, ...] = ("agent", "customer", "unknown")
SPEAKER_MODES: tuple[str, ...] = ("channels", "embedded", "pyannote")


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "word": self.word,
            "probability": round(self.probability, 4),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            word=str(data["word"]),
            probability=float(data["probability"]),
        )


@dataclass(frozen=True)
class Segment:
    id: int
    speaker: Role
    start: float
    end: float
    text: str
    confidence: float
    words: tuple[Word, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "speaker": self.speaker,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "words": [w.to_dict() for w in self.words],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        speaker = data["speaker"]
        if speaker not in ROLES:
            raise ValueError(f"unknown speaker role {speaker!r}")
        return cls(
            id=int(data["id"]),
            speaker=speaker,
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data["text"]),
            confidence=float(data["confidence"]),
            words=tuple(Word.from_dict(w) for w in data.get("words", ())),
        )


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    channels: int
    sample_rate: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "duration": round(self.duration, 3),
            "channels": self.channels,
            "sample_rate": self.sample_rate,
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AudioInfo:
        return cls(
            duration=float(data["duration"]),
            channels=int(data["channels"]),
            sample_rate=int(data["sample_rate"]),
            sha256=str(data["sha256"]),
        )


@dataclass(frozen=True)
class SpeakerRoles:
    """How roles were decided, so a reviewer can tell a configured channel from a guess.

    ``source`` is ``settings`` (agent channel configured) or ``cues`` (detected from what was
    said); ``agent`` names the agent's channel (``left``/``right``) or cluster (``speaker_0``).
    """

    source: str
    agent: str | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "agent": self.agent, "confidence": round(self.confidence, 4)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpeakerRoles:
        return cls(
            source=str(data["source"]),
            agent=data.get("agent"),
            confidence=float(data["confidence"]),
        )


@dataclass(frozen=True)
class Transcript:
    audio: AudioInfo
    model: str
    language: str
    speaker_mode: str
    segments: tuple[Segment, ...]
    engine: str = "faster-whisper"
    roles: SpeakerRoles | None = field(default=None)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)

    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON shape (issue 3); ``roles`` is an additive key with the role decision."""
        data: dict[str, Any] = {
            "audio": self.audio.to_dict(),
            "engine": self.engine,
            "model": self.model,
            "language": self.language,
            "speaker_mode": self.speaker_mode,
            "segments": [s.to_dict() for s in self.segments],
        }
        if self.roles is not None:
            data["roles"] = self.roles.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        mode = data["speaker_mode"]
        if mode not in SPEAKER_MODES:
            raise ValueError(f"unknown speaker_mode {mode!r}")
        roles = data.get("roles")
        return cls(
            audio=AudioInfo.from_dict(data["audio"]),
            engine=str(data["engine"]),
            model=str(data["model"]),
            language=str(data["language"]),
            speaker_mode=mode,
            segments=tuple(Segment.from_dict(s) for s in data["segments"]),
            roles=SpeakerRoles.from_dict(roles) if roles else None,
        )
