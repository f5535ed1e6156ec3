"""Uploading recordings and following their processing in a real browser."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data" / "transcription"


def _sign_in(page, base: str, email: str = "reviewer@example.com") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")


def _live_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = sorted(tmp_path_factory.getbasetemp().glob("live*/live.db"))
    assert found, "the live server's database was not found"
    return found[0]


def test_upload_duplicate_and_processing_states(
    live_server: str,
    page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    _sign_in(page, live_server)
    page.goto(f"{live_server}/calls/")
    page.click("text=Upload recordings")
    page.wait_for_selector("input[type=file]")
    screenshot(page, "calls-upload")

    stereo = tmp_path / "morning-call.wav"
    stereo.write_bytes((DATA / "contoso_agent_right_8k_ulaw.wav").read_bytes()[:300_000])
    page.set_input_files("input[type=file]", [str(stereo)])
    page.select_option("select[name=agent_id]", label="Alex Morgan")
    page.fill("input[name=customer_ref]", "CUST-9001")
    page.fill("input[name=queue]", "cards")
    page.click("text=Upload and process")
    page.wait_for_selector(".flash-success")
    assert "1 recording(s) uploaded" in page.inner_text(".flashes")
    row = page.locator("tr", has_text="cards").first
    assert "received" in row.inner_text()
    screenshot(page, "calls-list-after-upload")

    # the same file again: no second interaction, a link to the first
    page.goto(f"{live_server}/calls/upload")
    page.set_input_files("input[type=file]", [str(stereo)])
    page.click("text=Upload and process")
    page.wait_for_selector(".flash-info")
    page.click(".flash-info a")
    page.wait_for_selector(".processing")
    assert "Queued" in page.inner_text(".pipeline-steps")
    interaction_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # not audio at all
    fake = tmp_path / "notes.wav"
    fake.write_text("meeting notes, not a call")
    page.goto(f"{live_server}/calls/upload")
    page.set_input_files("input[type=file]", [str(fake)])
    page.click("text=Upload and process")
    page.wait_for_selector(".flash-error")
    assert "notes.wav: the content is not a wav recording" in page.inner_text(".flashes")

    # what a worker would write: progress while transcribing, then a failure with its reason
    with sqlite3.connect(_live_db(tmp_path_factory)) as conn:
        conn.execute(
            "UPDATE interactions SET status = 'transcribing', progress = 45 WHERE id = ?",
            (interaction_id,),
        )
    page.goto(f"{live_server}/calls/{interaction_id}")
    assert "transcribing 45%" in page.inner_text(".processing .badge")
    screenshot(page, "calls-detail-transcribing")
    with sqlite3.connect(_live_db(tmp_path_factory)) as conn:
        conn.execute(
            "UPDATE interactions SET status = 'failed', error = ? WHERE id = ?",
            ("morning-call.wav: the audio data is corrupt or truncated", interaction_id),
        )
    page.wait_for_selector(".processing-failed", timeout=10_000)  # the page polls and reloads
    assert "corrupt or truncated" in page.inner_text(".processing")
    screenshot(page, "calls-detail-failed")
    page.click("text=Retry processing")
    page.wait_for_selector(".flash-success")
    assert f"Interaction #{interaction_id} queued again." in page.inner_text(".flashes")
