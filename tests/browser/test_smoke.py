"""Each demo role signs in through a real browser and lands on their own home page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

ROLES = [
    ("admin@example.com", "Administration", ["Interactions", "Reviews", "Analytics", "Admin"]),
    ("reviewer@example.com", "Good to see you", ["Interactions", "Reviews", "Analytics"]),
    ("trainer@example.com", "Coaching overview", ["Interactions", "Coaching", "Analytics"]),
    ("agent@example.com", "Hello, Alex", ["My calls", "Coaching", "Analytics"]),
    ("agent2@example.com", "Hello, Bea", ["My calls", "Coaching", "Analytics"]),
    ("analyst@example.com", "Topics and mood", ["Interactions", "Analytics"]),
]
HIDDEN_FROM_AGENTS = ["Admin", "Reviews"]
# the client's analyst reads topics and mood, never evaluations or coaching
HIDDEN_FROM_ANALYSTS = ["Admin", "Reviews", "Coaching", "Agents & teams"]


@pytest.mark.parametrize(
    ("email", "heading", "nav"), ROLES, ids=[r[0].split("@")[0] for r in ROLES]
)
def test_demo_user_signs_in_and_sees_their_home(
    live_server: str,
    page,
    email: str,  # type: ignore[no-untyped-def]
    heading: str,
    nav: list[str],
) -> None:
    page.goto(f"{live_server}/")
    assert page.url.endswith("/login?next=%2F") or "/login" in page.url
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    assert heading in page.inner_text("h1")
    links = page.locator("nav.mainnav a").all_inner_texts()
    for label in nav:
        assert label in links
    if email.startswith("agent"):
        assert not set(HIDDEN_FROM_AGENTS) & set(links)
    if email.startswith("analyst"):
        assert not set(HIDDEN_FROM_ANALYSTS) & set(links)
        assert page.locator(".progress").count() > 0  # the demo's topics are tagged
    assert page.locator(".flash-success").count() == 1
    screenshot(page, f"home-{email.split('@')[0]}")


def test_wrong_password_shows_an_error(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "reviewer@example.com")
    page.fill("input[name=password]", "not-demo")
    page.click("button[type=submit]")
    assert "E-mail or password is not right." in page.inner_text(".error")
    screenshot(page, "login-error")


def test_pages_fit_a_phone_screen(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "agent@example.com")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, "page scrolls sideways on a phone"
    page.click("label.nav-burger")
    assert page.locator("nav.mainnav").is_visible()
    screenshot(page, "home-agent-phone")
    context.close()


def test_admin_rubric_page(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/admin/rubrics")
    assert "active" in page.inner_text("table")
    page.set_input_files("input[name=file]", files=[{
        "name": "broken.yaml", "mimeType": "application/x-yaml", "buffer": b"name: [unclosed"}])
    page.click("button:has-text('Validate and save')")
    assert "cannot parse rubric" in page.inner_text(".error")
    screenshot(page, "admin-rubrics")
