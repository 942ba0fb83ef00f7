"""What a new user notices in Chromium: a one-line navbar with the supervisor menu, a language switch
that works on a phone without JavaScript, the favicon, the project's 404 and the no-role page."""

import pytest
import requests
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.cast import PASSWORD, make_staff
from tickets.permissions import SUPERVISOR_GROUP

pytestmark = pytest.mark.e2e

ONE_LINE_PX = 64  # Bootstrap's navbar is 56 px high on one line; a wrapped one is 90 px or more


@pytest.fixture(autouse=True)
def warm_server(live_server):
    for path in ("/masuk/", "/static/vendor/bootstrap/bootstrap.min.css"):
        requests.get(f"{live_server.url}{path}", timeout=60)


@pytest.fixture
def admin_user(office):
    return make_staff("admin", office, SUPERVISOR_GROUP, is_staff=True, is_superuser=True, first_name="Admin")


def navbar_height(page) -> float:
    return page.locator("nav.navbar").bounding_box()["height"]


# The lowest contrast ratio (WCAG 2.x) of the navbar's texts against the navbar's background.
LOWEST_CONTRAST = """() => {
  const rgba = (css) => { const [r, g, b, a = 1] = css.match(/[\\d.]+/g).map(Number); return [r, g, b, a]; };
  const over = ([r, g, b, a], back) => [r, g, b].map((v, i) => v * a + back[i] * (1 - a));
  const lum = (rgb) => rgb.map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const nav = document.querySelector("nav.navbar");
  const backRgb = rgba(getComputedStyle(nav).backgroundColor).slice(0, 3);
  const back = lum(backRgb);
  const texts = nav.querySelectorAll(".navbar-brand, .nav-link, .navbar-text, .btn");
  return Math.min(...[...texts].filter((el) => el.offsetParent).map((el) => {
    const fore = lum(over(rgba(getComputedStyle(el).color), backRgb));
    return (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
  }));
}"""


@pytest.mark.parametrize("username", ["supervisor", "admin"])
def test_the_navbar_fits_on_one_line_at_1280_and_1366_pixels(
    page, live_server, log_in, supervisor, admin_user, username
):
    log_in(username)
    for language in ("Indonesian", "English"):
        for width in (1280, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/tiket/")
            assert navbar_height(page) <= ONE_LINE_PX, (language, width)
        if language == "Indonesian":
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_navbar_texts_meet_the_wcag_aa_contrast(page, live_server, log_in, supervisor):
    log_in("supervisor")
    assert page.evaluate(LOWEST_CONTRAST) >= 4.5


def test_the_supervisor_menu_opens_and_is_followed_by_keyboard(page, live_server, log_in, supervisor):
    log_in("supervisor")
    menu = page.get_by_role("button", name="Supervisor")
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Meja eskalasi")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Dasbor")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/dasbor/")


def test_the_admin_link_is_in_the_menu_for_an_admin_only(page, live_server, log_in, supervisor, admin_user):
    log_in("supervisor")
    page.get_by_role("button", name="Supervisor").click()
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Keluar").click()
    log_in("admin")
    page.get_by_role("button", name="Supervisor").click()
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page.locator("#site-name")).to_be_visible()


def test_the_language_switch_works_on_a_phone_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/cek-status/")
        expect(page.get_by_role("button", name="Menu")).to_be_visible()  # the links are collapsed
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", name="Check complaint status")).to_be_visible()
        page.get_by_role("button", name="Bahasa Indonesia").click()
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(page).to_have_url(f"{live_server.url}/cek-status/")
    finally:
        context.close()


def test_the_favicon_is_linked_and_served(page, live_server):
    page.goto(f"{live_server.url}/cek-status/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    icon = requests.get(f"{live_server.url}{href}", timeout=30)
    assert icon.status_code == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")
    legacy = requests.get(f"{live_server.url}/favicon.ico", timeout=30)
    assert legacy.history[0].status_code == 301 and legacy.status_code == 200


def test_a_missing_page_shows_the_projects_404_with_debug_on(page, live_server, settings):
    settings.DEBUG = True  # as in `make run`; the live server reads the same settings
    response = page.goto(f"{live_server.url}/tidak-ada-halaman-ini/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()
    expect(page.get_by_text("URLconf")).to_have_count(0)
    page.get_by_role("link", name="Kembali ke beranda").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_an_account_without_a_role_is_told_what_to_ask_the_admin_for(page, live_server, transactional_db):
    get_user_model().objects.create_user("baru", password=PASSWORD)
    page.goto(f"{live_server.url}/masuk/")
    page.locator("#id_username").fill("baru")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/tiket/")
    expect(page.get_by_role("heading", name="Akun Anda belum punya peran")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Petugas Loket")
    expect(page.get_by_role("main")).to_contain_text("Supervisor")
    page.get_by_role("main").get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(f"{live_server.url}/masuk/")


def _policy_violation_by_the_page(msg) -> bool:
    """A CSP report from the page's own markup or scripts; axe-core, which the accessibility check
    evaluates in the page (no URL), sets inline styles of its own while it measures."""
    return "Content Security Policy" in msg.text and bool(msg.location.get("url"))


def test_an_admin_adds_a_clerk_with_role_and_office_in_one_form(
    page, live_server, log_in, admin_user, office
):
    seen = []
    page.on("console", lambda msg: seen.append(msg.text) if _policy_violation_by_the_page(msg) else None)
    log_in("admin")
    page.goto(f"{live_server.url}/admin/auth/user/add/")
    page.locator("#id_username").fill("dewi")
    page.locator("#id_password1").fill("Loket-kudus-2026")
    page.locator("#id_password2").fill("Loket-kudus-2026")
    page.locator("#id_groups_from").select_option(label="Petugas Loket")
    page.locator("#id_groups_add").click()
    page.locator(".field-office .select2-selection").click()  # the office autocomplete
    page.locator(".select2-search__field").fill("Kudus")
    page.locator(".select2-results__option", has_text="Kudus").click()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("dewi")
    profile = get_user_model().objects.get(username="dewi").staff_profile
    assert profile.office == office and seen == []
