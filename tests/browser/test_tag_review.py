"""A reviewer confirms a tag on a demo call without losing the scorecard, and the tag's
measured precision moves; an analyst reads the call with tags and no evaluation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_review_loop import sign_in

pytestmark = pytest.mark.browser


def test_reviewer_confirms_a_tag_and_precision_moves(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "reviewer@example.com")
    page.goto(f"{live_server}/reviews/queue")
    page.locator("#queue-table a.btn", has_text="Review").first.click()
    page.wait_for_selector("#scorecard")
    review_url = page.url
    row = page.locator("#tag-panel .tag-row.tag-suggested").first
    key = row.get_attribute("data-tag")
    assert key

    page.goto(f"{live_server}/taxonomy/tags/{key}/decisions")
    confirmed_before = int(page.locator("#confirmed").inner_text())

    page.goto(review_url)
    page.wait_for_selector("#scorecard")
    comment = page.locator("#scorecard textarea[name^=comment_]").first
    page.locator("#scorecard .crit-more summary").first.click()
    comment.fill("Kept while tagging: customer was charged twice and wanted a refund.")
    # the comment picks up tag suggestions from the taxonomy
    page.wait_for_selector(".comment-tags .tag-suggest button.tag-chip", timeout=15000)

    # evidence goes to its transcript line
    row = page.locator(f'#tag-panel .tag-row[data-tag="{key}"]')
    evidence = row.locator(".tag-evidence").first
    if evidence.count():
        segment = evidence.get_attribute("data-segment")
        evidence.click()
        page.wait_for_function(
            f"document.getElementById('seg-{segment}').classList.contains('speaking')"
        )
    row.locator("button.tag-confirm").click()
    page.wait_for_selector(f'#tag-panel .tag-row.tag-confirmed[data-tag="{key}"]')
    assert "confirmed" in page.locator("#tag-panel .tag-status").inner_text()
    assert page.url == review_url  # no navigation: the unsaved scorecard is intact
    assert comment.input_value().startswith("Kept while tagging")
    row.scroll_into_view_if_needed()
    screenshot(page, "tag-review")

    page.goto(f"{live_server}/taxonomy/tags/{key}/decisions")
    assert int(page.locator("#confirmed").inner_text()) == confirmed_before + 1
    assert page.locator("#precision").inner_text().endswith("%")
    assert page.locator("#decisions-table tbody tr").count() >= 1
    screenshot(page, "tag-decisions")


def test_analyst_reads_a_tagged_call(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "analyst@example.com")
    page.goto(f"{live_server}/calls/")
    page.select_option("select[name=tag]", "billing_error")
    page.wait_for_url("**tag=billing_error**")
    assert page.locator(".table tbody tr").count() >= 1
    assert page.locator("a", has_text="Export tags (CSV)").count() == 1
    screenshot(page, "tag-calls-filter")
    page.locator(".table tbody tr a").first.click()
    page.wait_for_selector("#tag-panel")
    assert page.locator("#tag-panel button.tag-confirm").count() == 0
    text = page.locator("main").inner_text()
    assert "Scorecard" not in text and "AI total" not in text
    screenshot(page, "tag-analyst-call")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "tag-analyst-call-phone")
