"""The CLI: one-line errors without tracebacks, text and JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave

import numpy as np
import pytest

from tests.transcription.conftest import DATA
from transcription.__main__ import main

ROOT = DATA.parent.parent.parent


def one_line_error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert "Traceback" not in err[0]
    return err[0]


def test_bad_inputs_give_one_line(tmp_path, capsys):
    assert "no such file" in one_line_error(capsys, [str(tmp_path / "x.wav"), "--quiet"])
    (tmp_path / "t.wav").write_text("not audio\n" * 100)
    assert "not" in one_line_error(capsys, [str(tmp_path / "t.wav"), "--quiet"])
    (tmp_path / "z.wav").write_bytes(b"")
    assert "0 bytes" in one_line_error(capsys, [str(tmp_path / "z.wav"), "--quiet"])
    with wave.open(str(tmp_path / "s.wav"), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(8000)
        out.writeframes(np.zeros(8000, dtype=np.int16).tobytes())
    assert "silence only" in one_line_error(capsys, [str(tmp_path / "s.wav")])
    cut = tmp_path / "cut.wav"
    cut.write_bytes((DATA / "contoso_mono_8k_ulaw.wav").read_bytes()[:100_000])
    assert "truncated" in one_line_error(capsys, [str(cut)])
    mono = str(DATA / "contoso_mono_8k_ulaw.wav")
    assert "maximum" in one_line_error(capsys, [mono, "--max-duration", "10"])
    assert "unknown model" in one_line_error(capsys, [mono, "--model", "huge"])


@pytest.mark.models
def test_cli_writes_json_in_a_subprocess(tmp_path):
    out = tmp_path / "t.json"
    env = {**os.environ, "CALLQA_INSTANCE_DIR": str(tmp_path / "instance")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "transcription",
            str(DATA / "contoso_agent_right_8k_ulaw.wav"),
            "--model",
            "tiny.en",
            "--json",
            str(out),
            "--agent-channel",
            "right",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "100%" in proc.stderr
    data = json.loads(out.read_text())
    assert data["speaker_mode"] == "channels" and data["model"] == "tiny.en"
    assert data["segments"][0]["speaker"] == "agent"
    assert "contoso" in data["segments"][0]["text"].lower()
