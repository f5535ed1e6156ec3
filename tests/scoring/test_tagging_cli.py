"""``python -m scoring.tags``: JSONL in and out, FILE:LINE errors, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.tags import main

DATA = Path(__file__).resolve().parent.parent / "data" / "scoring" / "tagging"
RULES = DATA / "rules_taxonomy.yaml"


def test_batch_tags_good_lines_and_reports_bad_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tags.jsonl"
    assert main([str(DATA / "batch.jsonl"), "--taxonomy", str(RULES), "--json", str(out)]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors == [
        f"scoring.tags: {DATA / 'batch.jsonl'}:3: invalid JSON: Expecting value",
        f"scoring.tags: {DATA / 'batch.jsonl'}:5: needs 'text' or a non-empty 'turns' list",
    ]
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["p1", "p2", "c1", "p3"]
    p1, p2, c1, p3 = rows
    assert [t["tag"] for t in p1["tags"]] == ["late_delivery", "delivery"]
    assert p1["tags"][0]["path"] == ["delivery", "late_delivery"]
    assert p1["tags"][0]["evidence"] == [
        {
            "segment": None,
            "quote": "My order has not arrived, it is very late.",
            "why": "phrase 'not arrived', phrase 'late'",
        }
    ]
    assert p1["primary"] == {"enquiry": None, "complaint": "late_delivery"}
    assert p2["tags"] == []  # 'early' vetoes late_delivery
    assert c1["primary"]["enquiry"] == "refund"
    assert c1["tags"][0]["evidence"][0]["segment"] == 1  # the customer's turn, not the agent's
    assert p3["primary"] == {"enquiry": None, "complaint": None}


def test_transcript_input_and_readable_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call = tmp_path / "call.txt"
    call.write_text("Agent: Hello, how can I help?\nCustomer: My parcel is late again.\n", "utf-8")
    assert main([str(call), "--taxonomy", str(RULES)]) == 0
    printed = capsys.readouterr().out
    assert "call: late_delivery 0.90, delivery 0.90" in printed
    assert "primary: enquiry=-, complaint=late_delivery" in printed


def test_bad_taxonomy_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kinds: [k]\ntags:\n  - {key: a, parent: b, examples: [x]}\n", "utf-8")
    assert main([str(DATA / "batch.jsonl"), "--taxonomy", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == f"scoring.tags: {bad}: invalid taxonomy: tag 'a': unknown parent 'b'\n"


def test_nothing_readable_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("[1, 2]\n", "utf-8")
    assert main([str(empty), "--taxonomy", str(RULES)]) == 2
    assert f"{empty}:1: expected a JSON object" in capsys.readouterr().err


def test_runs_as_a_module_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-m",
            "scoring.tags",
            str(DATA / "batch.jsonl"),
            "--taxonomy",
            str(RULES),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 1, proc.stderr
    assert len(out.read_text("utf-8").splitlines()) == 4
