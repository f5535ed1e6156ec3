"""Pure functions joining recognised words with speakers; no models, no I/O.

Speakers here are labels (``left``, ``right``, ``speaker_0``...); roles come later, so the same
merge serves channels, the embedded diarizer and pyannote alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .asr import AsrSegment
from .types import Role, Segment, Word

__all__ = ["Labeled", "Turn", "assign_speakers", "label_channel", "split_pauses", "to_segments"]

PAUSE = 1.0
MIN_WORD = 0.1


@dataclass(frozen=True)
class Turn:
    """A stretch of time in which ``speaker`` talks (from a diarizer)."""

    start: float
    end: float
    speaker: str


@dataclass(frozen=True)
class Labeled:
    """An ASR segment attributed to one speaker label."""

    speaker: str
    start: float
    end: float
    text: str
    confidence: float
    words: tuple[Word, ...]


def split_pauses(segments: Iterable[AsrSegment], pause: float = PAUSE) -> list[AsrSegment]:
    """Split segments where words are ``pause`` seconds apart.

    Whisper sees VAD-trimmed audio, so one segment can span two turns of the same channel with
    the other party's turn between them; splitting puts each turn back at its own time.
    """
    out: list[AsrSegment] = []
    for seg in segments:
        if not seg.words:
            out.append(seg)
            continue
        run: list[Word] = [seg.words[0]]
        for word in seg.words[1:]:
            if word.start - run[-1].end >= pause:
                out.append(_segment(run))
                run = []
            run.append(word)
        out.append(seg if len(run) == len(seg.words) else _segment(run))
    return out


def _segment(words: list[Word]) -> AsrSegment:
    confidence = sum(w.probability for w in words) / len(words)
    text = " ".join(w.word for w in words)
    return AsrSegment(words[0].start, words[-1].end, text, confidence, tuple(words))


def label_channel(segments: Iterable[AsrSegment], speaker: str) -> list[Labeled]:
    """Everything recognised on one channel belongs to that channel's party."""
    return [Labeled(speaker, s.start, s.end, s.text, s.confidence, s.words) for s in segments]


def _speaker_at(start: float, end: float, turns: Sequence[Turn]) -> str | None:
    if end - start < MIN_WORD:  # Whisper gives some words no duration at all
        middle = (start + end) / 2
        start, end = middle - MIN_WORD / 2, middle + MIN_WORD / 2
    best, best_overlap = None, 0.0
    for turn in turns:
        overlap = min(end, turn.end) - max(start, turn.start)
        if overlap > best_overlap:
            best, best_overlap = turn.speaker, overlap
    if best is not None:
        return best
    middle = (start + end) / 2
    nearest = min(
        turns,
        key=lambda t: min(abs(middle - t.start), abs(middle - t.end)),
        default=None,
    )
    return nearest.speaker if nearest else None


def _smooth(labels: list[str | None]) -> list[str | None]:
    """A lone word between two words of the other speaker is almost always a boundary error."""
    out = list(labels)
    for i in range(1, len(out) - 1):
        if out[i - 1] == out[i + 1] and out[i] != out[i - 1]:
            out[i] = out[i - 1]
    return out


def assign_speakers(segments: Iterable[AsrSegment], turns: Sequence[Turn]) -> list[Labeled]:
    """Give each word the speaker whose turn overlaps it most, splitting segments at changes."""
    out: list[Labeled] = []
    for seg in segments:
        if not seg.words:
            speaker = _speaker_at(seg.start, seg.end, turns) or "unknown"
            out.append(Labeled(speaker, seg.start, seg.end, seg.text, seg.confidence, ()))
            continue
        labels = _smooth([_speaker_at(w.start, w.end, turns) for w in seg.words])
        run: list[Word] = []
        current = labels[0]
        for word, label in zip(seg.words, labels, strict=True):
            if label != current and run:
                out.append(_from_words(current, run))
                run = []
            current = label
            run.append(word)
        out.append(_from_words(current, run))
    return out


def _from_words(speaker: str | None, words: list[Word]) -> Labeled:
    confidence = sum(w.probability for w in words) / len(words)
    text = " ".join(w.word for w in words)
    start, end = words[0].start, words[-1].end
    return Labeled(speaker or "unknown", start, end, text, confidence, tuple(words))


def to_segments(labeled: Iterable[Labeled], roles: Mapping[str, Role]) -> tuple[Segment, ...]:
    """Order by time, number from 0 and replace speaker labels by roles."""
    ordered = sorted(labeled, key=lambda s: (s.start, s.end))
    return tuple(
        Segment(
            id=i,
            speaker=roles.get(s.speaker, "unknown"),
            start=s.start,
            end=s.end,
            text=s.text,
            confidence=min(1.0, max(0.0, s.confidence)),
            words=s.words,
        )
        for i, s in enumerate(ordered)
    )
