"""Who spoke when in a mono recording.

Embedded default: Silero VAD (bundled with faster-whisper) finds speech, resemblyzer's voice
encoder embeds overlapping 1.5 s windows, Ward clustering splits them into the call's parties
and a centroid pass tidies the boundaries. Heavy imports (torch, faster_whisper, pyannote) stay
inside functions so importing this module costs nothing.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError
from .features import mel_power
from .merge import Turn

__all__ = ["EmbeddedDiarizer", "from_annotation", "pyannote_turns", "speech_regions"]

SAMPLE_RATE = 16_000
WINDOW = 1.5
HOP = 0.75
MIN_REGION = 0.3
TARGET_DBFS = -30.0

_encoder: Any = None
_encoder_lock = threading.Lock()


def speech_regions(samples: np.ndarray) -> list[tuple[float, float]]:
    """Speech stretches in seconds, from faster-whisper's Silero VAD (ONNX, no torch)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=200, speech_pad_ms=50, min_speech_duration_ms=150)
    stamps = get_speech_timestamps(np.asarray(samples, dtype=np.float32), options)
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def _weights_path() -> Path:
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("resemblyzer is not installed (pip install --no-deps resemblyzer)")
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.is_file():
        raise ModelError(f"resemblyzer voice encoder weights missing at {path}")
    return path


def _load_encoder() -> Any:
    """resemblyzer's 3-layer LSTM speaker encoder, built here and fed its shipped weights.

    Importing resemblyzer itself would pull librosa and webrtcvad for features this module
    computes on its own.
    """
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            import torch
            from torch import nn

            class SpeakerEncoder(nn.Module):
                def __init__(self) -> None:
                    super().__init__()
                    self.lstm = nn.LSTM(40, 256, 3, batch_first=True)
                    self.linear = nn.Linear(256, 256)

                def forward(self, mels: torch.Tensor) -> torch.Tensor:
                    _, (hidden, _) = self.lstm(mels)
                    raw = torch.relu(self.linear(hidden[-1]))
                    return raw / torch.linalg.norm(raw, dim=1, keepdim=True).clamp_min(1e-8)

            model = SpeakerEncoder()
            state = torch.load(_weights_path(), map_location="cpu", weights_only=True)
            keep = ("lstm.", "linear.")
            wanted = {k: v for k, v in state["model_state"].items() if k.startswith(keep)}
            model.load_state_dict(wanted)
            model.eval()
            _encoder = model
        return _encoder


def embed(windows: list[np.ndarray]) -> np.ndarray:
    """L2-normalised 256-d voice embeddings, one per audio window (equal lengths batch)."""
    import torch

    encoder = _load_encoder()
    mels = [mel_power(w) for w in windows]
    out = np.zeros((len(mels), 256), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for i, mel in enumerate(mels):
        by_length.setdefault(len(mel), []).append(i)
    with torch.inference_mode():
        for indices in by_length.values():
            batch = torch.from_numpy(np.stack([mels[i] for i in indices]))
            out[indices] = encoder(batch).numpy()
    return out


def _normalise(samples: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    if rms <= 0:
        return samples
    gain = 10 ** (TARGET_DBFS / 20) / rms
    return (samples * min(gain, 100.0)).astype(np.float32)


class EmbeddedDiarizer:
    """Collects embeddings chunk by chunk (bounded memory), clusters once at the end."""

    def __init__(self, num_speakers: int = 2) -> None:
        self.num_speakers = num_speakers
        self._cores: list[tuple[float, float]] = []
        self._embeddings: list[np.ndarray] = []

    def add(self, samples: np.ndarray, offset: float = 0.0) -> None:
        """Find speech in one chunk and embed its windows; ``offset`` is the chunk's start."""
        windows: list[np.ndarray] = []
        for start, end in speech_regions(samples):
            if end - start < MIN_REGION:
                continue
            region = _normalise(samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)])
            length = end - start
            if length <= WINDOW:
                windows.append(region)
                self._cores.append((offset + start, offset + end))
                continue
            count = int(np.ceil((length - WINDOW) / HOP)) + 1
            starts = np.linspace(0.0, length - WINDOW, count)
            for i, ws in enumerate(starts):
                lo = start if i == 0 else start + float(ws) + WINDOW / 2 - HOP / 2
                hi = end if i == count - 1 else start + float(ws) + WINDOW / 2 + HOP / 2
                cut = region[int(ws * SAMPLE_RATE) : int((ws + WINDOW) * SAMPLE_RATE)]
                windows.append(cut)
                self._cores.append((offset + lo, offset + hi))
        if windows:
            self._embeddings.append(embed(windows))

    def turns(self) -> list[Turn]:
        """Cluster every window seen so far into speakers ``speaker_0``, ``speaker_1``..."""
        if not self._cores:
            return []
        vectors = np.concatenate(self._embeddings)
        labels = cluster(vectors, self.num_speakers)
        turns: list[Turn] = []
        for (start, end), label in zip(self._cores, labels, strict=True):
            speaker = f"speaker_{label}"
            if turns and turns[-1].speaker == speaker and start - turns[-1].end < 0.05:
                turns[-1] = Turn(turns[-1].start, max(end, turns[-1].end), speaker)
            else:
                turns.append(Turn(start, end, speaker))
        return turns


def cluster(vectors: np.ndarray, num_speakers: int) -> np.ndarray:
    """Ward linkage into ``num_speakers`` groups, then two nearest-centroid refinements.

    Labels are renumbered by first appearance, so ``speaker_0`` is whoever talks first.
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    if len(vectors) < num_speakers:
        return np.zeros(len(vectors), dtype=int)
    labels = fcluster(linkage(vectors, method="ward"), t=num_speakers, criterion="maxclust") - 1
    for _ in range(2):
        present = np.unique(labels)
        centroids = np.stack([vectors[labels == k].mean(axis=0) for k in present])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        labels = present[np.argmax(vectors @ centroids.T, axis=1)]
    order: dict[int, int] = {}
    for label in labels:
        order.setdefault(int(label), len(order))
    return np.array([order[int(label)] for label in labels])


def from_annotation(annotation: Any) -> list[Turn]:
    """Turns from a pyannote.core Annotation, speakers renamed by first appearance."""
    names: dict[str, str] = {}
    turns: list[Turn] = []
    tracks = sorted(annotation.itertracks(yield_label=True), key=lambda t: t[0].start)
    for segment, _, label in tracks:
        speaker = names.setdefault(str(label), f"speaker_{len(names)}")
        turns.append(Turn(float(segment.start), float(segment.end), speaker))
    return turns


def pyannote_turns(
    path: Path, pipeline_dir: Path, progress: Callable[[str, float, float], None] | None = None
) -> list[Turn]:
    """Run a local pyannote.audio pipeline (optional extra) and convert its output.

    :raise ModelError: pyannote.audio missing or broken, or the directory is not a pipeline.
    """
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    if not Path(pipeline_dir).is_dir():
        raise ModelError(f"pyannote pipeline directory {pipeline_dir} does not exist")
    try:
        from pyannote.audio import Pipeline
    except Exception as exc:  # a CUDA-only torchaudio fails here with OSError, not ImportError
        raise ModelError(f"pyannote.audio cannot be imported: {exc}".splitlines()[0]) from exc
    try:
        pipeline = Pipeline.from_pretrained(str(pipeline_dir))
    except Exception as exc:
        raise ModelError(f"cannot load pyannote pipeline from {pipeline_dir}: {exc}") from exc
    if pipeline is None:
        raise ModelError(f"{pipeline_dir} is not a pyannote pipeline directory")

    def hook(step: str, *_: Any, completed: Any = None, total: Any = None, **__: Any) -> None:
        if progress is not None and completed is not None and total:
            progress("diarize", float(completed), float(total))

    output = pipeline(str(path), hook=hook)
    annotation = getattr(output, "speaker_diarization", output)
    return from_annotation(annotation)
