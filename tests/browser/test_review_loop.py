"""The whole review loop in chromium: reviewer scores, agent disputes, reviewer accepts."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector(".flash-success")


def open_call(page, base: str, phrase: str) -> None:  # type: ignore[no-untyped-def]
    """Find a demo call by transcript search and open its review page."""
    page.goto(f"{base}/reviews/interactions")
    page.fill("input[name=q]", phrase)
    page.click(".search-row button[type=submit]")
    rows = page.locator("#interaction-table tbody tr")
    assert rows.count() == 1, rows.all_inner_texts()
    rows.first.locator("a").first.click()
    page.wait_for_selector("#scorecard")


def score_inputs(page):  # type: ignore[no-untyped-def]
    return page.locator(".crit .score-input:not([disabled])")


def test_review_dispute_and_rescore_loop(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    # the reviewer finds the call in the list
    sign_in(page, live_server, "reviewer@example.com")
    page.goto(f"{live_server}/reviews/interactions")
    assert page.locator("#interaction-table tbody tr").count() >= 3
    screenshot(page, "review-list")
    page.goto(f"{live_server}/reviews/queue")  # the demo queue holds the call with audio
    row = page.locator("#queue-table tbody tr", has_text="Demo: calls to review")
    assert row.count() == 1
    row.locator("a.btn", has_text="Review").click()
    page.wait_for_selector("#scorecard")

    # plays a moment from the evidence: the player seeks there and the line lights up
    assert page.locator("audio#player").count() == 1
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    evidence = page.locator(".evidence-btn").nth(1)
    start = float(evidence.get_attribute("data-start"))
    segment = evidence.get_attribute("data-segment")
    evidence.click()
    page.wait_for_function("!document.getElementById('player').paused")
    position = page.evaluate("document.getElementById('player').currentTime")
    assert start - 0.1 <= position <= start + 3
    assert "speaking" in page.locator(f"#seg-{segment}").get_attribute("class")
    page.keyboard.press("Space")  # shortcut: pause
    page.wait_for_function("document.getElementById('player').paused")

    # changes two scores; the draft autosaves
    inputs = score_inputs(page)
    first_name = inputs.nth(0).get_attribute("name")
    inputs.nth(0).fill("40")
    inputs.nth(1).fill("55")
    page.locator(".crit-more summary").first.click()
    page.locator(".crit textarea").first.fill("Say the company name in the greeting.")
    page.wait_for_function(
        "document.getElementById('autosave-state').textContent.startsWith('Draft saved')"
    )
    screenshot(page, "review-page")
    page.click("#submit-btn")
    page.wait_for_selector("#eval-status")
    assert "Evaluation submitted" in page.inner_text(".flash-success")
    evaluation_url = page.url
    assert re.search(r"/reviews/evaluations/\d+$", evaluation_url)

    # the agent sees it (inbox and list) and disputes one criterion
    sign_in(page, live_server, "agent@example.com")
    assert page.locator(".inbox-link .count").inner_text() == "1"
    page.click("text=My evaluations")
    page.locator("a.btn", has_text="Open").first.click()
    assert page.url == evaluation_url
    assert "40" in page.inner_text(".crit >> nth=0")
    screenshot(page, "agent-evaluation")
    page.select_option("select[name=item_id]", index=0)
    page.fill("textarea[name=reason]", "I said the company name right at the start, please listen.")
    page.click(".dispute-form button[type=submit]")
    assert "Dispute sent" in page.inner_text(".flash-success")
    assert page.inner_text("#eval-status") == "disputed"

    # the reviewer accepts with a new score
    sign_in(page, live_server, "reviewer@example.com")
    page.goto(f"{live_server}/reviews/")
    page.locator("text=please listen").first.wait_for()
    page.goto(evaluation_url)
    page.check(".resolve-form input[value=accept]")
    page.fill(".resolve-form input[name=new_score]", "95")
    page.fill(".resolve-form textarea[name=note]", "You did, score corrected.")
    page.click(".resolve-form button[type=submit]")
    assert "Dispute decided" in page.inner_text(".flash-success")

    # the agent sees the new score and the outcome
    sign_in(page, live_server, "agent@example.com")
    page.goto(evaluation_url)
    assert page.inner_text("#eval-status") == "resolved"
    first = page.locator(".scorecard .crit").first
    assert first.locator("[data-score]").inner_text() == "95"
    assert "accepted" in first.inner_text()
    assert "You did, score corrected." in page.inner_text("body")
    assert first_name.startswith("score_")
    screenshot(page, "agent-evaluation-resolved")
    page.goto(f"{live_server}/reviews/mine")
    assert page.locator("svg.sparkline").count() >= 2  # total + each criterion
    screenshot(page, "agent-mine")


def test_expired_session_keeps_the_input(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "reviewer@example.com")
    open_call(page, live_server, "payment date to the fifteenth")
    url = page.url
    field = score_inputs(page).nth(0)
    name = field.get_attribute("name")
    page.context.clear_cookies()  # the session expires while the reviewer is typing
    field.fill("33")
    page.fill("textarea[name=comment]", "Written while signed out")
    page.click("#submit-btn")
    alert = page.locator("#review-alert.flash-warning")
    alert.wait_for()
    assert "session has expired" in alert.inner_text()
    screenshot(page, "review-session-expired")

    alert.locator("a").click()  # sign in again, come back to the same page
    page.fill("input[name=email]", "reviewer@example.com")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector("#scorecard")
    assert page.url == url
    assert page.input_value(f"input[name={name}]") == "33"
    assert page.input_value("textarea[name=comment]") == "Written while signed out"
    assert "restored" in page.inner_text("#review-alert")
    page.click("#submit-btn")
    page.wait_for_selector("#eval-status")
    assert "33" in page.inner_text(".scorecard .crit >> nth=0")
    page.goto(f"{live_server}/reviews/agreement")
    assert page.locator("svg.agree-chart").count() == 1
    screenshot(page, "review-agreement")


def test_sampling_rule_fills_my_queue(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "reviewer@example.com")
    page.goto(f"{live_server}/reviews/sampling")
    page.fill("input[name=queue_name]", "Weekly random")
    page.select_option("select[name=kind]", "random_per_agent")
    page.fill("input[name=per_agent]", "2")
    page.fill("input[name=days]", "30")
    page.click("form[novalidate] button[type=submit]")
    assert "Sampling rule added" in page.inner_text(".flash-success")
    page.locator("button", has_text="Draw now").first.click()
    message = page.inner_text(".flash-success")
    assert re.search(r"Drew [1-9]\d* of \d+ candidates into Weekly random \(seed \d+\)", message)
    screenshot(page, "review-sampling")
    page.goto(f"{live_server}/reviews/queue")
    assert page.locator("#queue-table tbody tr").count() >= 2
    screenshot(page, "review-queue")
    page.goto(f"{live_server}/reviews/coverage")
    assert page.locator("svg.coverage-bar").count() >= 2
    screenshot(page, "review-coverage")

    # the review page on a phone: one column, nothing scrolls sideways
    page.goto(f"{live_server}/reviews/queue")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#queue-table a.btn", has_text="Review").first.click()
    page.wait_for_selector("#scorecard")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, "review page scrolls sideways on a phone"
    screenshot(page, "review-page-phone")


def test_calibration_blind_then_revealed(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "reviewer@example.com")
    page.goto(f"{live_server}/reviews/interactions?q=router")
    number = page.locator("#interaction-table tbody tr a").first.inner_text().lstrip("#")
    page.goto(f"{live_server}/reviews/calibration")
    page.fill("input[name=interaction_id]", number)
    page.fill("input[name=title]", "Router call: empathy?")
    page.select_option("select[name=participants]", label="Ada Admin")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_selector("form.scorecard")
    session_url = page.url

    def score(values: list[str]) -> None:
        inputs = page.locator("form.scorecard .score-input:not([disabled])")
        for n in range(inputs.count()):
            inputs.nth(n).fill(values[n % len(values)])
        page.click("form.scorecard button[value=submit]")
        assert "scores are saved" in page.inner_text(".flash-success")

    score(["80", "40", "100"])
    sign_in(page, live_server, "admin@example.com")
    page.goto(session_url)
    assert page.locator("#alpha").count() == 0  # blind until the reveal
    score(["70", "60", "90"])
    sign_in(page, live_server, "reviewer@example.com")
    page.goto(session_url)
    page.click("text=Reveal scores")
    page.wait_for_selector("#alpha")
    assert page.locator("svg.dots").count() >= 3
    screenshot(page, "review-calibration")
