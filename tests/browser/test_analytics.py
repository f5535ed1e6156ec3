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


def _sign_in(page, live_server: str, email: str = "trainer@example.com") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")


def test_negative_mood_cell_topics_and_mood_pages(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, live_server)
    page.goto(f"{live_server}/analytics/?metric=negative")
    assert page.locator("a.hm-share").count() > 3
    screenshot(page, "analytics-activity-negative")
    worst = max(page.locator("a.hm-share").all(), key=lambda c: int(c.inner_text() or 0))
    worst.click()
    page.wait_for_selector("h1:has-text('negative mood')")
    assert page.locator("table.table tbody tr").count() >= 1
    assert page.locator(".mood-pill").all_inner_texts() == ["negative"] * page.locator(
        ".mood-pill"
    ).count()

    page.goto(f"{live_server}/analytics/topics")
    assert page.locator(".hbar-row").count() >= 2
    screenshot(page, "analytics-topics")
    parent = page.locator(".hbar-name a").first
    if parent.count():
        parent.click()
        page.wait_for_selector("nav.crumbs strong")
        screenshot(page, "analytics-topics-children")
    page.goto(f"{live_server}/analytics/topics")
    leaf = page.locator(".hbar-row:not(:has(.hbar-name a))").first  # a tag without children
    name = leaf.locator(".hbar-name").inner_text().strip()
    leaf.locator("a.hbar-track").click()
    page.wait_for_selector("h1:has-text('Interactions on')")
    assert f"tag {name}" in page.locator(".page-head .muted").inner_text()
    page.locator("table.table tbody tr a").first.click()
    page.wait_for_selector("h1:has-text('Interaction #')")
    assert name in page.locator("#tag-panel").inner_text()  # the tag with its evidence
    screenshot(page, "analytics-topic-evidence")

    page.goto(f"{live_server}/analytics/mood")
    assert page.locator(".stack-part").count() >= 2
    assert page.locator("polyline.series").count() == 3
    screenshot(page, "analytics-mood")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "analytics-mood-phone")
    page.goto(f"{live_server}/analytics/topics")
    screenshot(page, "analytics-topics-phone")
    page.goto(f"{live_server}/analytics/")
    screenshot(page, "analytics-activity-phone")
