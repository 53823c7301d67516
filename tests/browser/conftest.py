"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

What a test gets:
- `page`: a new Playwright page (its own cookies) whose relative URLs go to the live server, in French.
  The live server runs in this process: it sees the test database (`transactional_db`, which
  `live_server` asks for), the settings the root conftest sets (per-test register and bank files) and
  serves the static files (DSFR styles, scripts, fonts) like `runserver` does.
- `log_in(user)`: logs in through the real login form.
- `screenshot(label)`: saves the whole page as var/screenshots/<test>--<label>.png, for people to look at.
- `audit()`: runs axe-core (the npm package pinned in tests/browser/axe, injected into the page) on the page
  as it is now and fails on any violation of impact serious or critical. Every page a test reaches must be
  audited: the `page` fixture notes each document the browser loads, audits the last one itself, and fails
  the test when a page it left was never audited (so a test calls `audit()` or `screenshot()` before moving on; `log_in`
  does it for the login form and the page it lands on). Each audit is written to var/axe/audits.jsonl; the run ends with a summary.

A test fails when the page raises a JavaScript error, breaks the Content-Security-Policy (the browser's
console says so) or a static file does not load, and leaves
var/screenshots/<test>--echec.png when it fails. Every module here is marked `browser`: `make test`
leaves them out, `make test-browser` runs them (see docs/testing.md).
"""

import json
import os
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from tests.factories import PASSWORD
from tests.second_factor import fresh_code
from tremplin.accounts import second_factor

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]
# For actions and `expect` (Playwright's defaults are 30 s and 5 s): enough on a busy 2-core machine.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)
CALL_FAILED = pytest.StashKey[bool]()
AXE_JS = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE_JS.read_text(encoding="utf-8") if AXE_JS.exists() else ""
BLOCKING_IMPACTS = {"serious", "critical"}
# axe's result, cut to what a person needs to find the element: rule, impact, help text, first selectors.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")), count: v.nodes.length,
  }));
}"""
AUDITS = []  # one dict per audit of this run, for the summary


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
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS} is missing: `npm ci --prefix tests/browser/axe` (`make test-browser` does it)."
        )
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
    page.reached = []  # paths of the documents loaded in the main frame, in order
    page.audited = set()
    page.on("load", lambda loaded: page.reached.append(urlsplit(loaded.url).path))
    problems = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    # Whatever the Content-Security-Policy refuses (an inline script or style, a foreign source) fails the test.
    # (page.csp_refusals, which a test that provokes a refusal on purpose empties once it has checked it).
    page.csp_refusals = []
    page.on(
        "console",
        lambda message: (
            page.csp_refusals.append(f"Content-Security-Policy on {page.url}: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} on {response.url}")
            if response.status >= 400 and urlsplit(response.url).path.startswith(settings.STATIC_URL)
            else None
        ),
    )
    yield page
    failed = request.node.stash.get(CALL_FAILED, False)
    if failed:
        page.screenshot(path=screenshot_path(request, "echec"), full_page=True)
    elif page.url != "about:blank":
        # The last navigation's "load" event may come after the test's last check: wait for it,
        # then audit the page the test ended on unless the test already did.
        page.wait_for_load_state("load")
        if urlsplit(page.url).path not in page.audited:
            problems.extend(run_audit(page, request))
    context.close()
    problems.extend(page.csp_refusals)
    unaudited = [path for path in dict.fromkeys(page.reached) if path not in page.audited]
    if unaudited and not failed:
        problems.append("Pages reached but never audited (call audit() on each): " + ", ".join(unaudited))
    if problems:
        pytest.fail("The page had problems:\n" + "\n".join(problems))


def run_audit(page, request):
    """axe-core on the page as it is now; records the audit and returns the blocking violations as text."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
        # govern: a <script> tag (add_script_tag) would be refused, as it should be.
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(AXE_RUN)
    path = urlsplit(page.url).path
    page.audited.add(path)
    record = {
        "test": request.node.nodeid,
        "path": path,
        "width": page.viewport_size["width"],
        "lang": page.evaluate("() => document.documentElement.lang"),
        "violations": violations,
    }
    AUDITS.append(record)
    folder = Path(settings.VAR_DIR) / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "audits.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return [
        f"axe {v['impact']} {v['id']} on {path}: {v['help']} ({v['count']}×: {'; '.join(v['targets'])})"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


@pytest.fixture
def audit(page, request):
    """`audit()`: axe-core on the current page; fails the test at once on a serious or critical violation."""

    def audit():
        blocking = run_audit(page, request)
        if blocking:
            pytest.fail("Accessibility violations:\n" + "\n".join(blocking))

    return audit


def pytest_terminal_summary(terminalreporter):
    if not AUDITS:
        return
    impacts = Counter(v["impact"] for record in AUDITS for v in record["violations"])
    pages = {(record["path"], record["width"], record["lang"]) for record in AUDITS}
    terminalreporter.write_line(
        f"axe-core: {len(AUDITS)} audits of {len(pages)} pages (path, width, language); violations by impact: "
        + (", ".join(f"{impact} {n}" for impact, n in sorted(impacts.items())) or "none")
        + " (details: var/axe/audits.jsonl)"
    )


@pytest.fixture
def log_in(page, audit):
    """`log_in(user)`: type the user's email and password in the login form and land on their dashboard."""

    def log_in(user, password=PASSWORD):
        page.goto(reverse("accounts:login"))
        audit()
        form = page.locator("main form")
        form.locator("[name=username]").fill(user.email)
        form.locator("[name=password]").fill(password)
        form.locator("button[type=submit]").click()
        if second_factor.confirmed_device(user) is not None:
            expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
            audit()
            page.locator("main form [name=code]").fill(fresh_code(user))
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_url(lambda url: "double-authentification" not in url)
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        audit()

    return log_in


@pytest.fixture
def screenshot(page, request, audit):
    """`screenshot(label)`: audits the page, then saves it whole as var/screenshots/<test>--<label>.png;
    returns the path."""

    def take(label):
        audit()
        path = screenshot_path(request, label)
        page.screenshot(path=path, full_page=True)
        return path

    return take
