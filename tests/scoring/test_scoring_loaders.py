"""Input loaders: the transcription JSON schema and Agent:/Customer: text."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring import InputError, interaction_from_dict, interaction_from_text, load_interaction
from tests.conftest import ROOT


def test_transcript_json_with_ids() -> None:
    call = load_interaction(ROOT / "tests" / "data" / "scoring" / "call_transcript.json")
    assert call.interaction_id == "northwind-0042" and call.agent_id == "agent-7"
    assert call.has_times and call.turns[0].speaker == "agent"


def test_text_with_header_and_continuation_lines() -> None:
    call = interaction_from_text(
        "# agent: A9\nAgent: Hello\nCustomer: My email\ncontinues here\nAgent: Ok\n", "x"
    )
    assert call.agent_id == "A9" and call.interaction_id == "x"
    assert [t.speaker for t in call.turns] == ["agent", "customer", "agent"]
    assert call.turns[1].text == "My email continues here"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"segments": [{"speaker": "customer", "text": "hi"}]}, "no agent turns"),
        ({"text": "hi"}, "unknown format"),
        ({"segments": [{"speaker": "agent", "text": "hi", "start": "x"}]}, "not a number"),
    ],
)
def test_bad_transcripts(data: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError, match=message):
        interaction_from_dict(data)


def test_bad_files(tmp_path: Path) -> None:
    bad_json = tmp_path / "a.json"
    bad_json.write_text("{not json")
    with pytest.raises(InputError, match="invalid JSON"):
        load_interaction(bad_json)
    prose = tmp_path / "b.txt"
    prose.write_text("Dear team, hello.\n")
    with pytest.raises(InputError, match="unknown format"):
        load_interaction(prose)
