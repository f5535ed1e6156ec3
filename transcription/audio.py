"""Audio decoding with PyAV: validate a recording, then stream it as 16 kHz float chunks.

Decoding runs twice: a cheap first pass (`probe`) checks everything that can be wrong with the
file before any model loads, the second (`iter_chunks`) feeds the models a bounded window at a
time so memory does not grow with call length.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from .errors import AudioTooLong, CorruptAudio, EmptyAudio, MissingAudio, NotAudio, SilentAudio
from .types import AudioInfo

__all__ = ["SAMPLE_RATE", "Probe", "iter_chunks", "load", "probe"]

SAMPLE_RATE = 16_000
SILENCE_DBFS = -50.0
BLOCK = SAMPLE_RATE // 10
IDENTICAL_CORRELATION = 0.995


@dataclass(frozen=True)
class Probe:
    """What the first pass learned. ``distinct_channels`` is false for mono, and for stereo
    files whose two channels carry the same signal (a mono mix written twice)."""

    info: AudioInfo
    distinct_channels: bool
    peak_dbfs: float


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


MAGIC = (b"RIFF", b"RF64", b"ID3", b"\xff\xfb", b"\xff\xf3", b"fLaC", b"OggS", b"\x1aE\xdf\xa3")


def _looks_like_audio(path: Path) -> bool:
    """Known audio container signatures, to tell a damaged recording from a non-audio file."""
    with path.open("rb") as handle:
        head = handle.read(12)
    return head.startswith(MAGIC) or head[4:8] == b"ftyp"


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise MissingAudio(f"{path}: no such file")
    if not path.is_file():
        raise NotAudio(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise EmptyAudio(f"{path}: file is empty (0 bytes)")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError as exc:
        if not _looks_like_audio(path):
            raise NotAudio(f"{path}: not a recognised audio format") from exc
        if path.stat().st_size < 1024:
            raise EmptyAudio(f"{path}: audio header without samples (zero length)") from exc
        raise CorruptAudio(f"{path}: damaged or truncated audio file") from exc
    except av.error.FFmpegError as exc:
        raise CorruptAudio(f"{path}: cannot be opened ({exc.strerror or exc})") from exc
    if not container.streams.audio:
        container.close()
        raise NotAudio(f"{path}: not an audio file (no audio stream)")
    return container


def _declared_duration(container: av.container.InputContainer) -> float | None:
    stream = container.streams.audio[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def _frames(path: Path, mono: bool) -> Iterator[tuple[np.ndarray, int, int]]:
    """Yield (samples as (channels, n) float32 at 16 kHz, source rate, source channels)."""
    container = _open(path)
    try:
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels or 1
        layout = "mono" if mono or channels == 1 else "stereo"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        rate = stream.codec_context.sample_rate or stream.rate or SAMPLE_RATE
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    yield out.to_ndarray(), rate, channels
            for out in resampler.resample(None):
                yield out.to_ndarray(), rate, channels
        except av.error.FFmpegError as exc:
            raise CorruptAudio(f"{path}: corrupt audio data ({exc.strerror or exc})") from exc
    finally:
        container.close()


def probe(path: str | Path, max_duration: float | None = None) -> Probe:
    """Check a recording end to end without keeping its samples.

    :raise MissingAudio, NotAudio, CorruptAudio, EmptyAudio, SilentAudio, AudioTooLong:
    """
    path = Path(path)
    container = _open(path)
    try:
        declared = _declared_duration(container)
    finally:
        container.close()
    if max_duration is not None and declared is not None and declared > max_duration + 1:
        raise AudioTooLong(
            f"{path}: {declared:.0f} s is longer than the maximum {max_duration:.0f} s"
        )

    samples = 0
    loudest_block = 0.0
    cross = left_energy = right_energy = 0.0
    rate = channels = 0
    tail = np.zeros((2, 0), dtype=np.float32)
    for data, source_rate, source_channels in _frames(path, mono=False):
        rate, channels = source_rate, source_channels
        samples += data.shape[1]
        if max_duration is not None and samples / SAMPLE_RATE > max_duration:
            raise AudioTooLong(f"{path}: longer than the maximum {max_duration:.0f} s")
        if data.shape[0] == 2:
            left, right = data[0].astype(np.float64), data[1].astype(np.float64)
            cross += float(left @ right)
            left_energy += float(left @ left)
            right_energy += float(right @ right)
        block = np.concatenate([tail[: data.shape[0]], data], axis=1)
        whole = block.shape[1] // BLOCK * BLOCK
        if whole:
            rms = np.sqrt(np.mean(block[:, :whole].reshape(block.shape[0], -1, BLOCK) ** 2, axis=2))
            loudest_block = max(loudest_block, float(rms.max()))
        tail = block[:, whole:]
    if tail.size:
        loudest_block = max(loudest_block, float(np.sqrt(np.mean(tail**2))))

    duration = samples / SAMPLE_RATE
    if samples == 0:
        raise EmptyAudio(f"{path}: contains no audio samples (zero length)")
    if declared is not None and declared - duration > max(0.5, 0.02 * declared):
        raise CorruptAudio(
            f"{path}: truncated: header says {declared:.1f} s but only {duration:.1f} s decode"
        )
    peak_dbfs = 20 * math.log10(loudest_block) if loudest_block > 0 else -math.inf
    if peak_dbfs < SILENCE_DBFS:
        raise SilentAudio(f"{path}: silence only (loudest moment {peak_dbfs:.0f} dBFS)")
    distinct = False
    if channels >= 2:
        denominator = math.sqrt(left_energy * right_energy)
        correlation = cross / denominator if denominator > 0 else 0.0
        distinct = correlation < IDENTICAL_CORRELATION and min(left_energy, right_energy) >= 0
    info = AudioInfo(duration=duration, channels=channels, sample_rate=rate, sha256=_sha256(path))
    return Probe(info=info, distinct_channels=distinct, peak_dbfs=peak_dbfs)


def iter_chunks(
    path: str | Path, chunk_seconds: float, mono: bool
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (offset in seconds, samples (channels, n)) windows of about ``chunk_seconds``.

    Each window ends at the quietest tenth of a second in its last ten seconds, so a cut
    rarely falls inside a word.
    """
    target = int(chunk_seconds * SAMPLE_RATE)
    search = 10 * SAMPLE_RATE
    pending: list[np.ndarray] = []
    pending_samples = 0
    offset = 0
    for data, _, _ in _frames(Path(path), mono=mono):
        pending.append(data)
        pending_samples += data.shape[1]
        if pending_samples < target:
            continue
        buffer = np.concatenate(pending, axis=1)
        window = buffer[:, target - search : target]
        energy = (window**2).sum(axis=0)
        blocks = energy[: window.shape[1] // BLOCK * BLOCK].reshape(-1, BLOCK).sum(axis=1)
        cut = target - search + int(np.argmin(blocks)) * BLOCK + BLOCK // 2
        yield offset / SAMPLE_RATE, buffer[:, :cut]
        offset += cut
        pending = [buffer[:, cut:]]
        pending_samples = pending[0].shape[1]
    if pending_samples:
        yield offset / SAMPLE_RATE, np.concatenate(pending, axis=1)


def load(path: str | Path, mono: bool = True) -> np.ndarray:
    """Whole recording as (channels, n) float32 at 16 kHz; for short clips, tests and tools."""
    parts = [data for data, _, _ in _frames(Path(path), mono=mono)]
    if not parts:
        raise EmptyAudio(f"{path}: contains no audio samples (zero length)")
    return np.concatenate(parts, axis=1)
