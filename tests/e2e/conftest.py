"""Browser fixtures: one headless Chromium for the session, a fresh Indonesian context per test.

Every page a test opens is checked by axe-core (tests/e2e/accessibility.py): after each goto and
as it stands when the test body ends; a critical or serious violation fails the test.

Screenshots land in ``$SINKRON_VAR_DIR/e2e/`` (``var/test/e2e/`` under ``make test``): one per
step a test marks with ``shot("name")``, and ``<test>--FAILED.png`` when a test fails.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.cast import PASSWORD
from tests.e2e import accessibility
from tickets.roles import ensure_groups

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # a cold live server on a busy 2-core machine can take seconds to answer
REPO = Path(__file__).resolve().parents[2]
SHOTS_DIR = Path(os.environ.get("SINKRON_VAR_DIR") or REPO / "var" / "test") / "e2e"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    accessibility.start()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body passed, check the pages still open and fail on what axe found."""
    try:
        result = yield
    except BaseException:
        accessibility.stop()  # the test's own failure says enough
        raise
    browser = item.funcargs.get("browser")  # the fixture closure: also there through `page`
    if browser is not None:
        accessibility.finish(browser)
    return result


@pytest.fixture(scope="session")
def playwright():
    """Playwright's sync API keeps an asyncio loop "running" in the main thread while it is
    started, so every ORM call from the test thread (fixtures, the transactional flush, and any
    test that runs after these in the session) would raise SynchronousOnlyOperation. Allow it for
    exactly as long as Playwright runs; runs that deselect the e2e tests keep Django's check."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            yield pw
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    accessibility.watch_every_context(browser)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def desk_groups(transactional_db):
    """The groups come from a post_migrate hook; make sure a flush between tests did not drop them."""
    ensure_groups()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs about a second per hash here (creating the clerk, then logging in); the live
    server thread reads the same settings object, so both sides use the cheap hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def page(browser, request):
    context = browser.new_context(
        locale="id-ID", timezone_id="Asia/Jakarta", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS_DIR / f"{_slug(request.node.name)}--FAILED.png"), full_page=True)
    context.close()


@pytest.fixture
def shot(page, request):
    """Save a full-page screenshot of the current step: shot("03-nik-info")."""

    def take(step: str) -> None:
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS_DIR / f"{_slug(request.node.name)}--{step}.png"), full_page=True)

    return take


@pytest.fixture
def log_in(page, live_server):
    """Log in through the real form at /masuk/ and land on the queue."""

    def log_in_as(username: str) -> None:
        page.goto(f"{live_server.url}/masuk/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Masuk", exact=True).click()
        expect(page).to_have_url(f"{live_server.url}/tiket/")
        # The URL changes when the navigation commits, before the page's scripts have run: a key
        # pressed then (a shortcut test on a busy machine) found no listener yet.
        page.wait_for_load_state("load")

    return log_in_as


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)
