"""Browser tests: the real app in its own process, driven by Debian's Chromium through
Playwright, with axe-core for accessibility checks.

Test data is created with the factory fixtures of tests/conftest.py (in-process app, same
database) before the browser signs in; `live_server` then serves that database. Every
browser test module sets `pytestmark = pytest.mark.browser`; deselect them with
`-m "not browser"`.
"""
import functools
import os
import select
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import PASSWORD, REPO, totp_code

AXE_SOURCE = REPO / "node_modules" / "axe-core" / "axe.min.js"
KERN_CSS = REPO / "kitu_exchange" / "static" / "vendor" / "kern" / "kern.min.css"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERVER_START_SECONDS = 30
# Runs in the server process: binds a free port itself (no race), prints it, serves.
# Warms up as gunicorn's post_worker_init does (gunicorn.conf.py): the noun lexicon is
# loaded before the first request, not by it.
SERVER_SCRIPT = """\
from werkzeug.serving import make_server
from kitu_exchange import create_app
from kitu_exchange.search.service import warm_up
app = create_app()
with app.app_context():
    warm_up()
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.port, flush=True)
server.serve_forever()
"""


def chromium_path() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session", autouse=True)
def _browser_requirements():
    """Skip this folder, with the reason, when Chromium or the front-end assets are missing."""
    if chromium_path() is None:
        pytest.skip("Chromium not found: install Debian's chromium package "
                    "(apt-get install chromium) to run the browser tests")
    if not AXE_SOURCE.is_file():
        pytest.skip(f"{AXE_SOURCE.relative_to(REPO)} is missing: run `make test` "
                    "(it runs npm ci) to install axe-core")
    if not KERN_CSS.is_file():
        pytest.skip(f"{KERN_CSS.relative_to(REPO)} is missing: run `make test` "
                    "(it copies the KERN UX assets) so that pages have their real styles")


@pytest.fixture
def live_server(app, app_config, tmp_path):
    """Base URL of the real app, served by a separate process on 127.0.0.1.

    It uses the fresh database and search index of this test's `app`, so data made
    with the factory fixtures is what the browser sees.
    """
    with serve(app_config, tmp_path / "live_server.log") as url:
        yield url


# The live server's key: tests that make signed links for it sign with this one.
SECRET_KEY = "browser-test-secret-of-at-least-32-bytes"


@contextmanager
def serve(config: dict, log_path: Path):
    """Run the app in its own process with the database and index of `config`."""
    env = {
        **os.environ,
        "KITU_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "KITU_INDEX_DIR": config["INDEX_DIR"],
        "KITU_SESSION_COOKIE_SECURE": "false",
        "KITU_REMEMBER_COOKIE_SECURE": "false",
        "KITU_PASSWORD_HASH_METHOD": config["PASSWORD_HASH_METHOD"],
        # Lexical search only: the server's vector thread would spend half a minute of
        # CPU encoding the starter content beside the browser. The panel's markup and
        # script are the same either way; the semantic ranking is tested through the
        # test client (tests/web/test_semantic.py).
        "KITU_SEARCH_SEMANTIC": "false",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("FLASK_APP", "FLASK_DEBUG", "KITU_SQLALCHEMY_DATABASE_URI"):
        env.pop(name, None)
    with open(log_path, "wb") as log, subprocess.Popen(
            [sys.executable, "-c", SERVER_SCRIPT], cwd=REPO, env=env, text=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log) as process:
        try:
            yield _wait_for_server(process, log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            # Shown by pytest only when a test failed ("Captured stdout teardown").
            print(f"--- live server log ---\n{log_path.read_text(errors='replace')}")


def _wait_for_server(process: subprocess.Popen, log_path: Path) -> str:
    deadline = time.monotonic() + SERVER_START_SECONDS
    ready, _, _ = select.select([process.stdout], [], [], SERVER_START_SECONDS)
    line = process.stdout.readline().strip() if ready else ""
    if not line.isdigit():
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        raise RuntimeError(f"the live server did not start (exit code {process.poll()}):\n"
                           f"{log_path.read_text(errors='replace')}")
    url = f"http://127.0.0.1:{line}"
    while True:
        try:
            with urllib.request.urlopen(f"{url}/anmelden", timeout=5) as response:
                if response.status == 200:
                    return url
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the live server does not answer:\n"
                                   f"{log_path.read_text(errors='replace')}") from None
        time.sleep(0.05)


@pytest.fixture(scope="session")
def browser(_browser_requirements):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_errors() -> list[str]:
    """Console errors (CSP violations show up there), uncaught exceptions and failed
    loads of styles, scripts, fonts and images on this test's pages: a test ends with
    `assert not browser_errors`. Pages answered with 4xx are left to the tests (a form
    with errors comes back with 400); Chromium's request for /favicon.ico is ignored."""
    return []


def _watch(page, errors: list[str]) -> None:
    def console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(f"{page.url}: console: {message.text}")

    def response(response):
        if (response.status >= 400 and response.request.resource_type != "document"
                and not response.url.endswith("/favicon.ico")):
            errors.append(f"{page.url}: {response.status} for {response.url}")

    def request_failed(request):
        # A load cut short by the next navigation is not a fault of the page.
        if request.failure != "net::ERR_ABORTED":
            errors.append(f"{page.url}: {request.url} failed: {request.failure}")

    page.on("console", console)
    page.on("response", response)
    page.on("requestfailed", request_failed)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))


@pytest.fixture
def new_page(browser, live_server, browser_errors):
    """new_page() -> a page in a fresh browser context (its own cookies): one per user.

    storage_state (from BrowserContext.storage_state()) starts it signed in; viewport
    (e.g. tests/browser/layout.py's WIDTHS["phone"]) sets the window size.
    """
    contexts = []

    def make(storage_state=None, viewport=None):
        options = {"viewport": viewport} if viewport else {}
        context = browser.new_context(base_url=live_server, locale="de-DE",
                                      timezone_id="Europe/Berlin",
                                      storage_state=storage_state, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        _watch(page, browser_errors)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would, and wait for the home page."""
    page.goto(f"{base_url}/anmelden")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    signed_in, code = page.get_by_text("Sie sind angemeldet."), page.get_by_label(
        "Bestätigungscode")
    expect(signed_in.or_(code)).to_be_visible()
    if code.is_visible():  # moderators and admins: the second factor, as a person would
        code.fill(totp_code(email))
        page.get_by_role("button", name="Bestätigen").click()
    expect(signed_in).to_be_visible()
    # The text is in the page before its style sheets and fonts have arrived; tests that
    # measure the layout need the page as a person sees it (a header measured unstyled
    # once had every link on a line of its own).
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page and return its violations.

    axe.min.js goes in through the DevTools protocol (page.evaluate), which the page's
    Content Security Policy does not apply to; the app's CSP stays as strict as it is.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
            .then(results => results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                                          summary: n.failureSummary}))})))""",
        WCAG_TAGS)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                     f"<{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"  - {node['target']}\n    {node['html']}")
            if node["summary"]:
                lines.extend(f"    {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    if violations:
        raise AssertionError(f"axe found {len(violations)} violation(s) on {page.url}:\n"
                             f"{format_violations(violations)}")


@pytest.fixture
def axe():
    """axe(page): assert that axe-core finds no WCAG 2.1 A/AA violation on the page."""
    return assert_accessible


@functools.cache
def _axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")
