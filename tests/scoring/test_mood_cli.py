"""``python -m scoring.mood``: inputs of every kind, JSONL in input order, errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import Interaction, Turn
from scoring.errors import InputError
from scoring.mood import is_text_item
from scoring.tagging_io import read_items
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "scoring"
MOOD = DATA / "mood"
TURN_KEYS = {"turn", "speaker", "label", "score"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "scoring.mood", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_text_items_are_told_apart_from_dialogues() -> None:
    items = [i for i in read_items(MOOD / "items.jsonl") if not isinstance(i, InputError)]
    assert [i.interaction_id for i in items] == ["review-1", "chat-7", "comment-3", "chat-8"]
    assert [is_text_item(i) for i in items] == [True, False, True, False]
    # a transcript with a single turn is still a dialogue
    single = Interaction("one", (Turn(0, "agent", "Hello."),), source="transcript")
    assert not is_text_item(single)


@pytest.mark.models
def test_jsonl_output_in_input_order(tmp_path: Path) -> None:
    out = tmp_path / "mood.jsonl"
    proc = _run(
        str(MOOD / "resolved.txt"),
        str(MOOD / "items.jsonl"),
        str(DATA / "call_transcript.json"),
        "--json",
        str(out),
    )
    assert proc.returncode == 1, proc.stderr  # items.jsonl has two bad lines
    assert proc.stderr.count("mood: ") == 2 and "items.jsonl:4: invalid JSON" in proc.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    ids = [r["id"] for r in records]
    assert ids == ["resolved", "review-1", "chat-7", "comment-3", "chat-8", "northwind-0042"]
    by_id = {r["id"]: r["mood"] for r in records}
    assert set(by_id["review-1"]) == {"label", "score"}
    assert by_id["review-1"]["label"] == "positive" and by_id["comment-3"]["label"] == "negative"
    transcript = json.loads((DATA / "call_transcript.json").read_text())
    for key in ("resolved", "chat-7", "northwind-0042"):
        mood = by_id[key]
        assert {"label", "score", "start", "end", "trajectory", "turns"} <= set(mood)
        assert mood["trajectory"] in {"better", "worse", "same"}
        assert all(TURN_KEYS <= set(t) and -1 <= t["score"] <= 1 for t in mood["turns"])
    # turn indices point into the input turns
    segments = transcript["segments"]
    for turn in by_id["northwind-0042"]["turns"]:
        assert turn["speaker"] == segments[turn["turn"]]["speaker"]
    assert by_id["chat-7"]["trajectory"] == "better"


@pytest.mark.models
def test_summary_lines_and_stdout_json() -> None:
    proc = _run(str(MOOD / "curt_repeats.txt"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("curt-repeats: negative") and "worse" in proc.stdout
    proc = _run(str(MOOD / "curt_repeats.txt"), "--json", "-")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["mood"]["trajectory"] == "worse"


def test_nothing_readable_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = _run(str(empty), str(tmp_path / "missing.json"))
    assert proc.returncode == 2
    assert proc.stderr.count("mood: ") == 2 and "empty file" in proc.stderr
