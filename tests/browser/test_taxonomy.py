"""The taxonomy editor in a real browser: edit a tag, back-test the draft, publish it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_app.extensions import celery
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

DEMO_TAXONOMY = Path(__file__).resolve().parents[2] / "scoring" / "demo_taxonomy.yaml"
NEW_EXAMPLE = "why has my bill gone up this month"


@pytest.fixture
def inline_jobs() -> Iterator[None]:
    """The live server runs in this process: its back-test and re-tag run inline."""
    before = celery.conf.task_always_eager
    celery.conf.task_always_eager = True
    try:
        yield
    finally:
        celery.conf.task_always_eager = before


def _ensure_published(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    """The demo seeds a published taxonomy; on a bare server, import and publish it first."""
    if page.locator("form[action$='/taxonomy/draft'] button:has-text('Edit')").count():
        return
    if not page.locator("text=Continue draft").count():
        page.set_input_files("input[name=file]", str(DEMO_TAXONOMY))
        page.click("button:has-text('Import as draft')")
        page.wait_for_selector("text=Imported demo_taxonomy.yaml")
    else:
        page.click("text=Continue draft")
    page.click(".tx-banner button:has-text('Publish')")
    page.wait_for_selector("text=Published version")
    page.goto(f"{live_server}/taxonomy/")


def test_admin_edits_backtests_and_publishes(live_server: str, page, inline_jobs) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.click("nav.mainnav >> text=Taxonomy")
    page.wait_for_selector("h2:has-text('Tags')")
    _ensure_published(page, live_server)
    assert page.locator(".tx-tree li").count() >= 8
    assert page.locator("#tag-invoice_explanation").count() == 1
    screenshot(page, "taxonomy-tree")

    page.click("form[action$='/taxonomy/draft'] button:has-text('Edit')")
    page.wait_for_selector(".tx-banner")
    page.click("#tag-invoice_explanation a.tx-name")
    page.wait_for_selector("h1:has-text('Invoice explanation')")
    examples = page.locator("textarea[name=examples]")
    examples.fill(examples.input_value() + "\n" + NEW_EXAMPLE)
    page.fill("textarea[name=rule_any]", "bill\ninvoice")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar belongs at the top
    screenshot(page, "taxonomy-tag-form")
    page.click("button:has-text('Save to draft')")
    page.wait_for_selector("text=Saved tag Invoice explanation")

    page.click(".tx-banner button:has-text('Back-test')")
    page.wait_for_selector("h1:has-text('Back-test of draft')")
    page.wait_for_selector(".metrics-strip")
    assert page.locator("#change-invoice_explanation").count() == 1
    assert "changed" in page.locator("#change-invoice_explanation").inner_text()
    screenshot(page, "taxonomy-backtest")

    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=history is being re-tagged")
    head = page.locator(".page-head").inner_text()
    assert "published" in head
    assert page.locator(".tx-side li:has-text('Re-tag') .badge-done").count() >= 1
    screenshot(page, "taxonomy-published")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "taxonomy-tree-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click("#tag-invoice_explanation a.tx-name")
    assert NEW_EXAMPLE in page.locator("textarea[name=examples]").input_value()
