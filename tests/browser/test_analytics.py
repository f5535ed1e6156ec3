"""Analytics in a real browser: the heatmap, a drill-down to the calls behind a cell."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_drill_from_heatmap_cell_to_an_interaction(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "trainer@example.com")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/analytics/")
    assert page.locator("a.hm-cell").count() > 10
    assert page.locator("rect.bar-peak").count() >= 1  # the demo outage day
    screenshot(page, "analytics-activity")
    busiest = max(page.locator("a.hm-cell").all(), key=lambda c: int(c.inner_text() or 0))
    expected = int(busiest.inner_text())
    busiest.click()
    page.wait_for_selector("h1:has-text('Interactions on')")
    assert page.locator("table.table tbody tr").count() == expected
    screenshot(page, "analytics-drilldown")
    page.locator("table.table tbody tr a").first.click()
    page.wait_for_selector("h1:has-text('Interaction #')")
    assert page.locator(".turn").count() >= 2
