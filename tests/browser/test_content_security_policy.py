"""The DSFR's scripts run under the Content-Security-Policy, and the policy refuses what it should."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_dsfr_scripts_run_under_the_policy_and_open_the_mobile_menu(page, screenshot):
    page.set_viewport_size({"width": 375, "height": 800})
    response = page.goto(reverse("core:home"))

    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")  # set once the DSFR has started
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    screenshot("menu-mobile")


def test_the_policy_refuses_a_script_without_the_nonce(page, audit):
    page.goto(reverse("core:home"))
    audit()
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text) as refusal:
        page.evaluate(
            """() => { const s = document.createElement("script"); s.textContent = "window.injected = 1";
                       document.body.append(s); }"""
        )

    assert "script-src" in refusal.value.text
    assert page.evaluate("() => window.injected") is None
    page.csp_refusals.clear()  # provoked on purpose, checked above
