"""Scoring helpers for the transcription tests and bench: WER, turns from RTTM/STM files."""

from __future__ import annotations

import re
from pathlib import Path

import jiwer

from transcription.types import Transcript


def normalise(text: str) -> str:
    """Lower-case, drop punctuation, spell out the few numbers our references write as words."""
    text = text.lower().replace("-", " ")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())


def wer(reference: str, hypothesis: str) -> float:
    return jiwer.wer(normalise(reference), normalise(hypothesis))


def stm(path: Path) -> list[tuple[str, float, float, str]]:
    """(speaker, start, end, text) lines of an STM file."""
    rows = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith(";;"):
            continue
        _, _, speaker, start, end, text = line.split(maxsplit=5)
        rows.append((speaker, float(start), float(end), text))
    return rows


def rttm(path: Path) -> list[tuple[str, float, float]]:
    """(speaker, start, end) turns of an RTTM file."""
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "SPEAKER":
            start, length = float(parts[3]), float(parts[4])
            rows.append((parts[7], start, start + length))
    return rows


def attribution(transcript: Transcript, turns: list[tuple[str, float, float]]) -> float:
    """Share of recognised words whose middle lies in (or is nearest to) a turn of its speaker."""
    words = [(seg.speaker, w) for seg in transcript.segments for w in seg.words]
    if not words:
        return 0.0
    right = 0
    for speaker, word in words:
        middle = (word.start + word.end) / 2
        owner = min(
            turns,
            key=lambda t: (
                0.0 if t[1] <= middle <= t[2] else min(abs(middle - t[1]), abs(middle - t[2]))
            ),
        )
        right += owner[0] == speaker
    return right / len(words)
