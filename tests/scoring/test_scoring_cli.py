"""``python -m scoring``: output schema, batches, one-line errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "scoring"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scoring", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _check_sheet(sheet: dict) -> None:  # type: ignore[type-arg]
    assert set(sheet) == {"interaction_id", "rubric", "total", "auto_fail", "criteria", "metrics"}
    assert 0 <= sheet["total"] <= 100 and isinstance(sheet["auto_fail"], bool)
    for result in sheet["criteria"].values():
        assert set(result) == {"score", "label", "confidence", "evidence"}
        assert result["score"] is None or 0 <= result["score"] <= 1
        assert 0 <= result["confidence"] <= 1
        for item in result["evidence"]:
            assert set(item) == {"segment", "start", "end", "quote", "reason"}


def test_json_output_for_a_batch_of_text_and_transcript(tmp_path: Path) -> None:
    proc = _run(str(DATA / "refund_chat.txt"), str(DATA / "call_transcript.json"), "--json")
    assert proc.returncode == 0, proc.stderr
    sheets = json.loads(proc.stdout)
    assert [s["interaction_id"] for s in sheets] == ["refund_chat", "northwind-0042"]
    for sheet in sheets:
        _check_sheet(sheet)
    call = sheets[1]
    assert call["criteria"]["disclosure"]["score"] == 1.0
    assert call["metrics"]["agent_talk_ratio"] is not None
    assert call["metrics"]["scripted_ratio"] is not None


def test_bad_file_in_a_batch_is_named_and_the_rest_still_scored(tmp_path: Path) -> None:
    empty = tmp_path / "no_agent.txt"
    empty.write_text("Customer: hello?\n")
    weird = tmp_path / "weird.json"
    weird.write_text('{"foo": 1}')
    proc = _run(str(DATA / "refund_chat.txt"), str(empty), str(weird), str(tmp_path / "gone.txt"))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 3
    assert f"{empty}: no agent turns" in lines[0]
    assert f"{weird}: unknown format" in lines[1]
    assert "gone.txt: cannot read file" in lines[2]
    assert "Traceback" not in proc.stderr
    assert "refund_chat: total" in proc.stdout


def test_invalid_rubric_is_one_line_and_exit_2(tmp_path: Path) -> None:
    rubric = tmp_path / "r.yaml"
    rubric.write_text("name: r\nversion: 1\ncriteria:\n  - key: empathy\n    weight: 0\n")
    proc = _run(str(DATA / "refund_chat.txt"), "--rubric", str(rubric))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "weight must be a positive number" in proc.stderr
    assert str(rubric) in proc.stderr


def test_only_bad_inputs_exits_2(tmp_path: Path) -> None:
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    proc = _run(str(binary))
    assert proc.returncode == 2 and "x.txt: cannot read file" in proc.stderr
