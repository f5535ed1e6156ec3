"""Plain-data pieces: the JSON shape, word-to-speaker merging and role cues."""

from __future__ import annotations

import json

import pytest

from transcription.asr import AsrSegment
from transcription.merge import Turn, assign_speakers, split_pauses, to_segments
from transcription.roles import guess_roles
from transcription.types import AudioInfo, Segment, SpeakerRoles, Transcript, Word


def words(*spec: tuple[str, float, float]) -> tuple[Word, ...]:
    return tuple(Word(start, end, text, 0.9) for text, start, end in spec)


def test_json_has_exactly_the_issue_shape():
    seg = Segment(
        0, "agent", 0.5, 1.5, "Hello there", 0.8, words(("Hello", 0.5, 1.0), ("there", 1.0, 1.5))
    )
    transcript = Transcript(
        audio=AudioInfo(12.0, 2, 8000, "ab" * 32),
        model="tiny.en",
        language="en",
        speaker_mode="channels",
        segments=(seg,),
        roles=SpeakerRoles("cues", "left", 0.9),
    )
    data = json.loads(json.dumps(transcript.to_dict()))
    assert set(data) == {
        "audio",
        "engine",
        "model",
        "language",
        "speaker_mode",
        "segments",
        "roles",
    }
    assert data["engine"] == "faster-whisper"
    assert set(data["audio"]) == {"duration", "channels", "sample_rate", "sha256"}
    assert set(data["segments"][0]) == {
        "id",
        "speaker",
        "start",
        "end",
        "text",
        "confidence",
        "words",
    }
    assert set(data["segments"][0]["words"][0]) == {"start", "end", "word", "probability"}
    assert Transcript.from_dict(data) == transcript


def test_from_dict_rejects_unknown_roles():
    with pytest.raises(ValueError, match="speaker role"):
        Segment.from_dict(
            {"id": 0, "speaker": "boss", "start": 0, "end": 1, "text": "", "confidence": 1}
        )


def test_words_go_to_the_overlapping_turn_and_segments_split():
    seg = AsrSegment(
        0.0,
        4.0,
        "hi there yes hello",
        0.9,
        words(("hi", 0.0, 0.5), ("there", 0.5, 1.0), ("yes", 2.1, 2.5), ("hello", 2.6, 3.0)),
    )
    turns = [Turn(0.0, 1.2, "a"), Turn(2.0, 3.5, "b")]
    out = assign_speakers([seg], turns)
    assert [(s.speaker, s.text) for s in out] == [("a", "hi there"), ("b", "yes hello")]


def test_a_lone_word_between_the_same_speaker_is_smoothed():
    seg = AsrSegment(
        0.0,
        3.0,
        "one two three",
        0.9,
        words(("one", 0.0, 0.9), ("two", 1.0, 1.9), ("three", 2.0, 2.9)),
    )
    turns = [Turn(0.0, 0.95, "a"), Turn(0.95, 1.95, "b"), Turn(1.95, 3.0, "a")]
    assert [s.speaker for s in assign_speakers([seg], turns)] == ["a"]


def test_zero_length_words_use_the_nearest_turn():
    seg = AsrSegment(5.0, 5.0, "I", 0.9, words(("I", 5.0, 5.0)))
    assert assign_speakers([seg], [Turn(0, 4.9, "a"), Turn(5.02, 6, "b")])[0].speaker == "b"


def test_split_pauses_breaks_at_long_gaps_only():
    seg = AsrSegment(
        0.0, 9.0, "a b c", 0.9, words(("a", 0.0, 0.5), ("b", 0.9, 1.2), ("c", 8.0, 9.0))
    )
    parts = split_pauses([seg])
    assert [p.text for p in parts] == ["a b", "c"]
    assert (parts[1].start, parts[1].end) == (8.0, 9.0)


def test_to_segments_orders_and_numbers():
    from transcription.merge import Labeled

    late = Labeled("right", 5.0, 6.0, "later", 0.7, ())
    early = Labeled("left", 1.0, 2.0, "first", 1.3, ())
    segs = to_segments([late, early], {"left": "agent", "right": "customer"})
    assert [(s.id, s.speaker, s.text) for s in segs] == [
        (0, "agent", "first"),
        (1, "customer", "later"),
    ]
    assert segs[0].confidence == 1.0


def test_greeting_finds_the_agent_even_when_the_customer_talks_first():
    utterances = [
        ("b", 0.5, "Hello?"),
        ("a", 1.5, "Thank you for calling Acme Energy, my name is Sam, how can I help you?"),
        ("b", 6.0, "Hi, I'm calling about my bill, it is far too high."),
    ]
    guess = guess_roles(utterances, ["a", "b"])
    assert guess.roles == {"a": "agent", "b": "customer"}
    assert guess.confidence > 0.9


def test_company_name_is_a_cue():
    utterances = [("x", 0.0, "Good afternoon, Zebra Mobile."), ("y", 2.0, "Hi there.")]
    plain = guess_roles(utterances, ["y", "x"])
    named = guess_roles(utterances, ["y", "x"], company_names=["Zebra Mobile"])
    assert named.agent == "x"
    assert named.confidence > plain.confidence


def test_no_cues_falls_back_to_first_speaker_with_low_confidence():
    guess = guess_roles([("b", 3.0, "yes"), ("a", 1.0, "okay")], ["a", "b"])
    assert guess.agent == "a"
    assert guess.confidence < 0.6


def test_importing_the_package_loads_no_model_library():
    import subprocess
    import sys

    code = (
        "import sys, transcription; "
        "print([m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'faster_whisper', 'ctranslate2', 'pyannote', 'flask', 'sqlalchemy')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
