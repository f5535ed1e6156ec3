"""faster-whisper wrapper: the only module that loads Whisper, imported lazily."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import ModelError
from .types import Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

__all__ = ["AsrSegment", "load_whisper", "recognize"]

_models: dict[tuple[str, str, int], WhisperModel] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class AsrSegment:
    """One Whisper segment with absolute times (offset already added)."""

    start: float
    end: float
    text: str
    confidence: float
    words: tuple[Word, ...]


def load_whisper(model_dir: Path, compute_type: str = "int8", cpu_threads: int = 0) -> WhisperModel:
    """Load (once per process) a CTranslate2 Whisper directory on the CPU."""
    key = (str(model_dir), compute_type, cpu_threads)
    with _lock:
        if key not in _models:
            from faster_whisper import WhisperModel

            try:
                _models[key] = WhisperModel(
                    str(model_dir),
                    device="cpu",
                    compute_type=compute_type,
                    cpu_threads=cpu_threads,
                    local_files_only=True,
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError(f"cannot load Whisper model from {model_dir}: {exc}") from exc
        return _models[key]


def recognize(
    model: WhisperModel,
    samples: np.ndarray,
    *,
    offset: float = 0.0,
    language: str | None = "en",
    beam_size: int = 5,
    on_progress: Callable[[float], None] | None = None,
) -> tuple[list[AsrSegment], str]:
    """Transcribe one 16 kHz mono array with word timestamps.

    Silero VAD skips silence first: a channel of a stereo call is silent half the time, and
    Whisper invents words in long silences.
    :return: segments with times shifted by ``offset``, and the language used.
    """
    segments, info = model.transcribe(
        np.ascontiguousarray(samples, dtype=np.float32),
        language=language,
        beam_size=beam_size,
        word_timestamps=True,
        vad_filter=True,
        vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 200},
        condition_on_previous_text=False,
    )
    out: list[AsrSegment] = []
    for seg in segments:  # the generator does the work while it is consumed
        words = tuple(
            Word(
                start=float(offset + w.start),
                end=float(offset + w.end),
                word=w.word.strip(),
                probability=float(w.probability),
            )
            for w in seg.words or ()
            if w.word.strip()
        )
        if words:
            confidence = float(np.mean([w.probability for w in words]))
        else:
            confidence = math.exp(min(0.0, seg.avg_logprob))
        text = seg.text.strip()
        if text:
            start, end = float(offset + seg.start), float(offset + seg.end)
            out.append(AsrSegment(start, end, text, confidence, words))
        if on_progress is not None:
            on_progress(seg.end)
    return out, info.language
