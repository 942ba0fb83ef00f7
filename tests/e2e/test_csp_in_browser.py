"""The Content-Security-Policy in a real browser: Chromium reports no violation on the pages staff
and citizens use, and what needs JavaScript (htmx fragments, Chart.js, Bootstrap) still works."""

import pytest
import requests
from playwright.sync_api import expect

from tests.cast import NIK, complaint, make_staff
from tickets import services

pytestmark = pytest.mark.e2e

# Chromium reports each blocked script, style or frame both as a console error and as a
# `securitypolicyviolation` event; collect both.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""


@pytest.fixture(autouse=True)
def warm_server(live_server):
    """The live server's first page (templates, catalogues, static finders) can take seconds on a
    busy machine; pay for it here rather than inside a 5-second browser step."""
    for path in ("/masuk/", "/static/vendor/bootstrap/bootstrap.min.css"):
        requests.get(f"{live_server.url}{path}", timeout=60)


@pytest.fixture
def violations(page):
    seen = []
    page.add_init_script(LISTEN)
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)

    def collected():
        return seen + page.evaluate("window.__cspViolations || []")

    return collected


def test_the_supervisors_pages_run_under_the_policy_without_a_single_violation(
    page, live_server, log_in, violations, office, supervisor, clerk
):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    log_in("supervisor")
    base = live_server.url

    page.goto(f"{base}/tiket/{ticket.code}/")
    expect(page.locator("#sync-panel")).to_be_visible()  # htmx loaded the panel
    page.get_by_role("button", name="Tampilkan", exact=True).click()  # htmx POST reveals the NIK
    expect(page.locator("#nik-cell")).to_contain_text(NIK)
    assert violations() == []

    page.goto(f"{base}/dasbor/")
    page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length >= 6")
    assert violations() == []

    page.goto(f"{base}/tiket/{ticket.code}/tanda-terima/")
    expect(page.locator(".qr svg")).to_be_visible()

    page.goto(f"{base}/dua-faktor/")
    expect(page.locator("#totp-qr svg")).to_be_visible()  # the 2FA QR code: SVG attributes, no style

    for path in ("/tiket/", "/tiket/baru/", "/eskalasi/", "/laporan/", "/subjek/", "/cek-status/"):
        page.goto(f"{base}{path}")  # waits for "load": every script has run
    assert violations() == []


def test_the_counters_live_nik_hint_and_the_phone_menu_work_under_the_policy(
    page, live_server, log_in, violations, clerk
):
    log_in("petugas")
    page.goto(f"{live_server.url}/tiket/baru/")
    page.locator("#id_nik").fill(NIK)
    page.locator("#id_nik").dispatch_event("change")
    expect(page.locator("#nik-info")).not_to_be_empty()  # htmx swapped the NIK hint in

    page.set_viewport_size({"width": 390, "height": 800})
    page.get_by_role("button", name="Menu").click()  # Bootstrap's collapse sets element.style: allowed
    expect(page.get_by_role("link", name="Antrian")).to_be_visible()
    assert violations() == []


def test_the_admin_runs_under_the_policy(page, live_server, violations, office):
    make_staff("root", office, None, is_superuser=True, is_staff=True)
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill("sinkron-test-pass")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    for path in (
        "/admin/tickets/ticket/",
        "/admin/axes/accessattempt/",
        "/admin/helpdesk/encryptedtotpdevice/",
    ):
        page.goto(f"{live_server.url}{path}")
    assert violations() == []


def test_an_injected_inline_script_is_refused_by_the_browser(page, live_server, violations):
    """The policy is live, not decorative: a script without the nonce does not run."""
    page.goto(f"{live_server.url}/cek-status/")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.__pwned = true'; document.body.appendChild(s); }""")
    assert page.evaluate("window.__pwned === undefined")
    assert any("script-src" in v for v in violations())
