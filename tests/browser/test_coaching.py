"""Coaching end to end: the trainer assigns the recommended module, the agent reads it, fails
the quiz once, passes it, and the trainer sees the assignment completed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import training
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

MODULE = "acknowledging-frustration"


def _sign_in(page, live_server: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/login**")


def _answer(page, correct: bool) -> None:  # type: ignore[no-untyped-def]
    for q in training.load_catalog().get(MODULE).quiz.questions:
        choice = q.answer if correct else (q.answer + 1) % len(q.choices)
        page.check(f"input[name='q_{q.id}'][value='{choice}']")
    page.click("#quiz button[type=submit]")
    page.wait_for_selector(".flash")


def test_recommended_module_from_assignment_to_completion(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, live_server, "trainer@example.com")
    page.goto(f"{live_server}/coaching/recommendations")
    row = page.locator("tr", has_text="Bea Lindqvist").filter(has_text="Acknowledging frustration")
    assert "empathy" in row.inner_text() and "opportunities missed" in row.inner_text()
    row.locator("input[name=picks]").check()
    page.fill("input[name=due_on]", (date.today() + timedelta(days=2)).isoformat())
    screenshot(page, "coaching-1-recommendations")
    page.click("button:has-text('Assign selected')")
    assert "1 module(s) assigned" in page.inner_text(".flash-success")
    _sign_out(page)

    _sign_in(page, live_server, "agent2@example.com")
    page.goto(f"{live_server}/coaching/")
    assert "Acknowledging frustration" in page.inner_text(".reminders")
    assert "Alex" not in page.inner_text("main")
    screenshot(page, "coaching-2-agent-assignments")
    page.locator("tr", has_text="Acknowledging frustration").locator("a.btn").click()
    page.wait_for_selector(".module-body h1")
    assert "Acknowledging frustration" in page.inner_text(".module-body h1")
    assert "in progress" in page.inner_text("h1 .badge")
    _answer(page, correct=False)
    assert "0 of 4 right" in page.inner_text(".flash-warning")
    assert page.locator(".question-wrong").count() == 4
    screenshot(page, "coaching-3-quiz-failed")
    _answer(page, correct=True)
    assert "Module completed" in page.inner_text(".flash-success")
    assert "completed" in page.inner_text("h1 .badge")
    assert page.locator("#quiz").count() == 0
    screenshot(page, "coaching-4-quiz-passed")
    _sign_out(page)

    _sign_in(page, live_server, "trainer@example.com")
    page.goto(f"{live_server}/coaching/")
    row = page.locator("tr", has_text="Bea Lindqvist").filter(has_text="Acknowledging frustration")
    assert "completed" in row.locator(".badge").inner_text()
    screenshot(page, "coaching-5-trainer-sees-completed")
    row.locator("a.btn").click()
    assert "50%" not in page.inner_text("main")  # attempts show scores: 0% then 100%
    assert "0%" in page.inner_text("main") and "100%" in page.inner_text("main")
    page.goto(f"{live_server}/coaching/modules")
    page.locator("tr", has_text="Acknowledging frustration").locator("a", has_text="Edit").click()
    assert "Acknowledging frustration" in page.input_value("input[name=title]")
    screenshot(page, "coaching-8-module-editor")
    page.goto(f"{live_server}/coaching/sessions/new")
    page.select_option("select[name=agent_id]", label="Bea Lindqvist")
    page.fill("input[name=scheduled_at]", f"{date.today() + timedelta(days=1)}T10:30")
    page.fill("textarea[name=notes]", "Look at how the router call opened.")
    page.fill("textarea[name=action_items]", "Name the feeling first\nOffer a next step")
    page.click("button:has-text('Plan 1:1')")
    page.fill("input[name=note]", "The customer says they are fed up here.")
    page.fill("input[name=at_s]", "4")
    page.click("button:has-text('Attach moment')")
    assert "fed up here" in page.inner_text(".moments")
    screenshot(page, "coaching-9-session")
    page.goto(f"{live_server}/coaching/report")
    screenshot(page, "coaching-6-report")
    page.locator("a", has_text="Bea Lindqvist").click()
    page.wait_for_selector("svg.trend")
    screenshot(page, "coaching-7-agent-loop")
