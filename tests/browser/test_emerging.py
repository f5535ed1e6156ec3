"""Emerging topics in a real browser: the demo's untagged contacts clustered, a drill-down."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_emerging_topics_page_and_drill_down(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "analyst@example.com")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/analytics/emerging")
    page.wait_for_selector("h1:has-text('Emerging topics')")
    screenshot(page, "analytics-emerging")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "analytics-emerging-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    cards = page.locator(".emerging-card")
    if cards.count():
        link = cards.first.locator("a:has-text('Create tag from this')")
        assert "/taxonomy/draft/tags/new?name=" in (link.get_attribute("href") or "")
        cards.first.locator("a:has-text('See the')").click()
        page.wait_for_selector("a:has-text('Back to emerging topics')")
        assert page.locator("table.table tbody tr").count() >= 3
        screenshot(page, "analytics-emerging-cluster")
