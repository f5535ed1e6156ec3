"""Events and the social import in a real browser: the list, the demo outage's before/after,
recording an event, and an upload with a bad line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

CSV = (
    "text,created_at,channel,source,author,external_id\n"
    "Is the internet down in Oakham?,2026-11-20T08:05:00Z,social,twitter,@browser_a,b-1\n"
    "Thanks for fixing my router so fast,2026-11-20T09:30:00Z,chat,webchat,visitor-9,b-2\n"
    "Where is my refund?,last tuesday,social,facebook,@browser_b,b-3\n"
)


def _sign_in(page, live_server: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")


def test_events_list_outage_comparison_and_recording(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, live_server, "admin@example.com")
    page.goto(f"{live_server}/analytics/events")
    assert page.locator("table.events-table tbody tr").count() >= 3
    screenshot(page, "analytics-events")

    page.click("text=Network outage in the north region")
    page.wait_for_selector("h2:has-text('Before and after the start')")
    assert "significant" in page.locator(".effects").inner_text()
    assert page.locator("rect.bar-after").count() >= 1
    screenshot(page, "analytics-event-outage")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "analytics-event-outage-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.locator(".export-links a:has-text('Excel')").count() == 1
    page.locator("table.tag-shifts a[title$='after']").first.click()  # a tag row's drill-down
    page.wait_for_selector("h1:has-text('after the start')")
    assert page.locator("table.table tbody tr").count() >= 1
    screenshot(page, "analytics-event-drill")
    page.click("text=← Back to the event")
    page.wait_for_selector("h2:has-text('Before and after the start')")

    page.goto(f"{live_server}/analytics/")  # every time chart marks the events
    assert page.locator("rect.event-span").count() >= 1
    page.click(".event-legend >> text=Network outage in the north region")
    page.wait_for_selector("h2:has-text('Before and after the start')")

    page.goto(f"{live_server}/analytics/events/new")
    page.fill("input[name=name]", "Price rise letter")
    page.select_option("select[name=kind]", "other")
    page.fill("input[name=starts_at]", "2026-11-10T09:00")
    page.fill("input[name=ends_at]", "2026-11-09T09:00")
    page.click("button:has-text('Record event')")
    assert page.locator(".error:has-text('The end must be after the start.')").count() == 1
    screenshot(page, "analytics-event-form-error")
    page.fill("input[name=ends_at]", "")
    page.check("input[name=channels][value=social]")
    page.click("button:has-text('Record event')")
    page.wait_for_selector("h1:has-text('Price rise letter')")
    assert "social" in page.locator(".page-head").inner_text()


def test_import_page_summary(live_server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, live_server, "analyst@example.com")
    page.goto(f"{live_server}/analytics/import")
    screenshot(page, "analytics-import")
    upload = tmp_path / "posts.csv"
    upload.write_text(CSV, encoding="utf-8")
    page.set_input_files("input[name=file]", str(upload))
    page.click("button:has-text('Import')")
    page.wait_for_selector(".import-result")
    summary = page.locator(".import-summary").inner_text()
    assert "2" in summary
    assert (
        "posts.csv:4: created_at 'last tuesday' is not an ISO 8601 time"
        in page.locator(".import-errors").inner_text()
    )
    screenshot(page, "analytics-import-summary")
