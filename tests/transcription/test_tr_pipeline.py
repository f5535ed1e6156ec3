"""End to end on real audio: WER, per-channel attribution, role detection, JSON."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.conftest import shared_data
from tests.transcription.conftest import DATA
from tests.transcription.tr_metrics import attribution, rttm, stm, wer
from transcription import Transcript, transcribe
from transcription.errors import TranscriptionError

JFK = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
CONTOSO = DATA / "contoso_agent_right_8k_ulaw.wav"

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def contoso(tiny):
    calls = []
    result = transcribe(CONTOSO, tiny, lambda *a: calls.append(a))
    return result, calls


def test_jfk_wer(tiny):
    transcript = transcribe(shared_data("audio-whisper-jfk", "jfk.flac"), tiny)
    assert wer(JFK, transcript.text) < 0.10
    assert transcript.audio.channels == 2  # identical channels: handled as mono
    assert transcript.speaker_mode == "embedded"


@pytest.mark.parametrize("name", ["call_stereo_16k.wav", "call_stereo_8k_ulaw.wav"])
def test_northwind_per_channel_attribution(tiny, name):
    transcript = transcribe(shared_data("synthetic-call-northwind", name), tiny)
    turns = rttm(shared_data("synthetic-call-northwind", "call_turns.rttm"))
    assert transcript.speaker_mode == "channels"
    assert attribution(transcript, turns) >= 0.98
    assert transcript.roles is not None and transcript.roles.agent == "left"
    assert transcript.segments[0].speaker == "agent"
    assert len(transcript.words()) > 150


def test_agent_on_the_right_is_detected(contoso):
    transcript, _ = contoso
    assert transcript.roles.source == "cues"
    assert transcript.roles.agent == "right"
    assert transcript.roles.confidence > 0.9
    turns = [(speaker, start, end) for speaker, start, end, _ in stm(DATA / "contoso.stm")]
    assert attribution(transcript, turns) >= 0.98


def test_configured_agent_channel_wins(tiny):
    transcript = transcribe(CONTOSO, replace(tiny, agent_channel="left"))
    assert transcript.roles.source == "settings"
    assert transcript.roles.confidence == 1.0
    assert "welcome" in " ".join(
        s.text.lower() for s in transcript.segments if s.speaker == "customer"
    )


def test_progress_reaches_the_end_in_order(contoso):
    transcript, calls = contoso
    steps = [c for c in calls if c[0] == "transcribe"]
    assert steps and all(a[1] <= b[1] for a, b in zip(steps, steps[1:], strict=False))
    assert calls[-1] == ("done", transcript.audio.duration, transcript.audio.duration)


def test_json_round_trip_of_a_real_transcript(contoso):
    transcript, _ = contoso
    data = json.loads(json.dumps(transcript.to_dict()))
    assert Transcript.from_dict(data).to_dict() == data
    for seg in data["segments"]:
        assert 0 <= seg["confidence"] <= 1 and seg["start"] <= seg["end"]
        assert all(
            seg["start"] <= w["start"] <= w["end"] <= seg["end"] + 0.01 for w in seg["words"]
        )
    assert [s["id"] for s in data["segments"]] == list(range(len(data["segments"])))


def test_small_chunks_give_the_same_words(tiny):
    whole = transcribe(CONTOSO, tiny)
    chunked = transcribe(CONTOSO, replace(tiny, chunk_seconds=30))
    assert wer(whole.text, chunked.text) < 0.15


def test_channels_mode_on_mono_is_an_error(tiny):
    with pytest.raises(TranscriptionError, match="one party per channel"):
        transcribe(DATA / "contoso_mono_8k_ulaw.wav", replace(tiny, speaker_mode="channels"))
