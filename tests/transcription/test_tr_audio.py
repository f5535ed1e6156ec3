"""Decoding and every bad input the issue lists, on real audio files."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from tests.transcription.conftest import DATA
from transcription import audio
from transcription.errors import (
    AudioTooLong,
    CorruptAudio,
    EmptyAudio,
    MissingAudio,
    NotAudio,
    SilentAudio,
)

MONO = DATA / "contoso_mono_8k_ulaw.wav"
STEREO = DATA / "contoso_agent_right_8k_ulaw.wav"


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    data = np.atleast_2d(samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(data.shape[0])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((data.T * 32767).astype(np.int16).tobytes())
    return path


def encode(path: Path, fmt: str, codec: str, rate: int) -> Path:
    samples = audio.load(MONO)[0]
    out = av.open(str(path), "w", format=fmt)
    stream = out.add_stream(codec, rate=rate, layout="mono")
    for i in range(0, len(samples), 16000):
        frame = av.AudioFrame.from_ndarray(
            samples[None, i : i + 16000], format="fltp", layout="mono"
        )
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return path


@pytest.mark.parametrize(
    ("name", "fmt", "codec", "rate"),
    [
        ("call.mp3", "mp3", "libmp3lame", 16000),
        ("call.m4a", "ipod", "aac", 16000),
        ("call.ogg", "ogg", "libopus", 48000),
        ("call.webm", "webm", "libopus", 48000),
        ("call.flac", "flac", "flac", 16000),
        ("call_alaw.wav", "wav", "pcm_alaw", 8000),
    ],
)
def test_formats_decode_to_the_same_length(tmp_path, name, fmt, codec, rate):
    path = encode(tmp_path / name, fmt, codec, rate)
    probe = audio.probe(path)
    assert probe.info.sample_rate == rate
    assert probe.info.duration == pytest.approx(30.47, abs=0.15)
    assert probe.info.channels == 1


def test_mu_law_stereo_probe():
    probe = audio.probe(STEREO)
    assert (probe.info.channels, probe.info.sample_rate) == (2, 8000)
    assert probe.distinct_channels
    assert len(probe.info.sha256) == 64


def test_identical_channels_count_as_mono(tmp_path):
    samples = audio.load(MONO)[0]
    path = write_wav(tmp_path / "dup.wav", np.stack([samples, samples]))
    probe = audio.probe(path)
    assert probe.info.channels == 2
    assert not probe.distinct_channels


def test_chunks_cover_the_whole_file_once():
    chunks = list(audio.iter_chunks(STEREO, chunk_seconds=30, mono=False))
    whole = audio.load(STEREO, mono=False)
    assert len(chunks) == 2
    assert sum(c.shape[1] for _, c in chunks) == whole.shape[1]
    assert chunks[1][0] == pytest.approx(chunks[0][1].shape[1] / audio.SAMPLE_RATE)
    assert 20 <= chunks[1][0] <= 30


def test_missing_file(tmp_path):
    with pytest.raises(MissingAudio, match="no such file"):
        audio.probe(tmp_path / "nope.wav")


def test_not_audio(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("these are meeting notes, not a recording\n" * 50)
    with pytest.raises(NotAudio):
        audio.probe(path)


def test_zero_bytes(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(EmptyAudio, match="0 bytes"):
        audio.probe(path)


def test_header_without_samples(tmp_path):
    path = write_wav(tmp_path / "none.wav", np.zeros(0))
    with pytest.raises(EmptyAudio, match="zero length"):
        audio.probe(path)


def test_truncated_wav(tmp_path):
    data = MONO.read_bytes()
    path = tmp_path / "cut.wav"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptAudio, match="truncated"):
        audio.probe(path)


@pytest.mark.parametrize(
    ("fmt", "codec"), [("mp3", "libmp3lame"), ("flac", "flac"), ("ipod", "aac")]
)
def test_corrupt_compressed_audio(tmp_path, fmt, codec):
    path = encode(tmp_path / f"call.{fmt}", fmt, codec, 16000)
    data = bytearray(path.read_bytes())
    third = len(data) // 3
    data[third : 2 * third] = np.random.default_rng(1).bytes(third)
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptAudio):
        audio.probe(path)


def test_silence_only(tmp_path):
    path = write_wav(tmp_path / "quiet.wav", np.zeros(16000 * 5))
    with pytest.raises(SilentAudio, match="silence only"):
        audio.probe(path)


def test_faint_hiss_is_still_silence_but_speech_is_not(tmp_path):
    hiss = np.random.default_rng(0).normal(0, 0.0005, 16000 * 3)
    with pytest.raises(SilentAudio):
        audio.probe(write_wav(tmp_path / "hiss.wav", hiss))
    quiet_speech = audio.load(MONO)[0] * 0.1
    assert audio.probe(write_wav(tmp_path / "low.wav", quiet_speech)).peak_dbfs > -50


def test_longer_than_maximum():
    with pytest.raises(AudioTooLong, match="maximum 20 s"):
        audio.probe(MONO, max_duration=20)
    assert audio.probe(MONO, max_duration=31).info.duration < 31
