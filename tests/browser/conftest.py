"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

What a test gets:
- `page`: a new Playwright page (its own cookies) whose relative URLs go to the live server, in French.
  The live server runs in this process: it sees the test database (`transactional_db`, which
  `live_server` asks for), the settings the root conftest sets (per-test register and bank files) and
  serves the static files (DSFR styles, scripts, fonts) like `runserver` does.
- `log_in(user)`: logs in through the real login form.
- `screenshot(label)`: saves the whole page as var/screenshots/<test>--<label>.png, for people to look at.

A test fails when the page raises a JavaScript error or a static file does not load, and leaves
var/screenshots/<test>--echec.png when it fails. Every module here is marked `browser`: `make test`
leaves them out, `make test-browser` runs them (see docs/testing.md).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from tests.factories import PASSWORD

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]
# For actions and `expect` (Playwright's defaults are 30 s and 5 s): enough on a busy 2-core machine.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)
CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last. Playwright's sync API keeps an asyncio loop running in this thread while
    the browser is open, and Django refuses database calls in a thread with a running loop unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set: the `browser` fixture sets it, and no other test runs after it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (`make test-browser` does it).")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def screenshot_path(request, label):
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{request.node.name}--{label}.png"


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id=settings.TIME_ZONE,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} on {response.url}")
            if response.status >= 400 and urlsplit(response.url).path.startswith(settings.STATIC_URL)
            else None
        ),
    )
    yield page
    if request.node.stash.get(CALL_FAILED, False):
        page.screenshot(path=screenshot_path(request, "echec"), full_page=True)
    context.close()
    if problems:
        pytest.fail("The page had problems:\n" + "\n".join(problems))


@pytest.fixture
def log_in(page):
    """`log_in(user)`: type the user's email and password in the login form and land on their dashboard."""

    def log_in(user, password=PASSWORD):
        page.goto(reverse("accounts:login"))
        form = page.locator("main form")
        form.locator("[name=username]").fill(user.email)
        form.locator("[name=password]").fill(password)
        form.locator("button[type=submit]").click()
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    return log_in


@pytest.fixture
def screenshot(page, request):
    """`screenshot(label)`: the whole page, saved as var/screenshots/<test>--<label>.png; returns the path."""

    def take(label):
        path = screenshot_path(request, label)
        page.screenshot(path=path, full_page=True)
        return path

    return take
