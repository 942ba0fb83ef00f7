"""Optional TOTP two-factor for supervisors and admins (django-otp): set up with a QR code, asked
after every login once set up, compulsory with REQUIRE_2FA_FOR_SUPERVISORS; counter staff never."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from helpdesk.models import EncryptedTOTPDevice as TOTPDevice
from tests.cast import PASSWORD
from tests.security.conftest import logged_in
from tests.security.matrix import ADMIN_GROUP, MATRIX, walk
from tests.security.test_authorization_matrix import url_of

pytestmark = pytest.mark.django_db

SETUP = reverse("twofactor:setup")
VERIFY = reverse("twofactor:verify")
DASHBOARD = reverse("dashboard:index")
QUEUE = reverse("tickets:queue")
# Reachable without the second factor: signing in and out, the 2FA pages, the language switch, and
# the probes (answered before sessions exist).
EXEMPT = {
    "login",
    "logout",
    "set_language",
    "twofactor:setup",
    "twofactor:verify",
    "healthz",
    "readyz",
    "healthz_pipeline",
    "metrics",
}


def code_for(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def password_login(username) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def enrolled(supervisor):
    return TOTPDevice.objects.create(user=supervisor, name="Sinkron", confirmed=True)


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA_FOR_SUPERVISORS = True


def test_it_is_off_by_default_in_development_so_the_demo_logs_in_with_a_password(settings, supervisor):
    assert settings.REQUIRE_2FA_FOR_SUPERVISORS is False
    assert password_login("supervisor").get(DASHBOARD).status_code == 200


def test_when_required_a_supervisor_is_sent_to_set_it_up(required, supervisor):
    response = password_login("supervisor").get(DASHBOARD)
    assert response.status_code == 302 and response["Location"] == f"{SETUP}?next=%2Fdasbor%2F"


def test_when_required_an_admin_is_sent_to_set_it_up_even_for_the_admin_site(required, admin):
    client = logged_in(admin)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_counter_staff_are_never_asked(required, clerk):
    client = password_login("petugas")
    assert client.get(QUEUE).status_code == 200
    assert client.get(SETUP).status_code == 403


@pytest.mark.parametrize("pattern", [p for p in walk() if p.key not in EXEMPT], ids=lambda p: p.key)
def test_an_unverified_supervisor_reaches_no_page_but_the_exempt_ones(
    pattern, required, world, supervisor, admin
):
    """Walks every URL pattern of the project: a new page is gated without anyone remembering to."""
    if pattern.key not in MATRIX:
        pytest.fail(f"{pattern.key} has no entry in tests/security/matrix.py")
    user = admin if pattern.key == ADMIN_GROUP else supervisor
    probe = MATRIX[pattern.key].probes[0]
    url = url_of(pattern.key, probe, world.own)
    response = getattr(logged_in(user), probe.method.lower())(url)
    assert response.status_code == 302 and response["Location"].startswith(SETUP), url


def test_setting_up_shows_a_qr_code_and_confirms_with_a_first_code(supervisor):
    client = password_login("supervisor")
    page = client.get(SETUP, {"next": DASHBOARD})
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'id="totp-secret"' in html
    assert "style=" not in re.search(r'<div class="qr.*?</div>', html, re.S).group(0)
    device = TOTPDevice.objects.get(user=supervisor)
    assert not device.confirmed

    wrong = client.post(SETUP, {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "Kode salah" in wrong.content.decode()
    device.throttling_failure_count = 0  # the wrong code above throttles the next try for a second
    device.save()

    done = client.post(SETUP, {"token": code_for(device), "next": DASHBOARD})
    assert done.status_code == 200 and len(done.context["codes"]) == 10  # backup codes, shown once
    assert f'href="{DASHBOARD}"' in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed and TOTPDevice.objects.filter(user=supervisor).count() == 1
    assert client.get(DASHBOARD).status_code == 200
    assert "sudah aktif" in client.get(SETUP).content.decode()


def test_once_set_up_the_code_is_asked_after_every_login_even_when_not_required(enrolled):
    client = password_login("supervisor")
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200
    response = client.post(VERIFY, {"token": code_for(enrolled), "next": DASHBOARD})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_a_wrong_code_keeps_the_door_shut(enrolled):
    client = password_login("supervisor")
    right = code_for(enrolled)
    response = client.post(VERIFY, {"token": f"{(int(right) + 1) % 1000000:06d}"})
    assert response.status_code == 200 and "Kode salah" in response.content.decode()
    assert client.get(DASHBOARD)["Location"].startswith(VERIFY)


def test_guessing_is_throttled(enrolled):
    client = password_login("supervisor")
    for _ in range(3):
        client.post(VERIFY, {"token": "12345x"[:5] + "0"})
    response = client.post(VERIFY, {"token": code_for(enrolled)})
    assert "Terlalu banyak kode salah" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302


def test_a_code_cannot_be_used_twice(enrolled):
    code = code_for(enrolled)
    first = password_login("supervisor")
    assert first.post(VERIFY, {"token": code}).status_code == 302
    second = password_login("supervisor")
    response = second.post(VERIFY, {"token": code})
    assert response.status_code == 200 and second.get(DASHBOARD).status_code == 302


def test_a_stolen_password_cannot_enrol_a_second_device(enrolled, supervisor):
    client = password_login("supervisor")
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post(SETUP, {"token": "123456"}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=supervisor)) == [enrolled]


def test_an_htmx_fragment_request_moves_the_whole_page(enrolled):
    client = password_login("supervisor")
    response = client.get(DASHBOARD, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(VERIFY)


def test_verification_ends_with_the_session(enrolled):
    client = password_login("supervisor")
    client.post(VERIFY, {"token": code_for(enrolled)})
    client.post(reverse("logout"))
    assert password_login("supervisor").get(DASHBOARD)["Location"].startswith(VERIFY)


def test_next_never_leads_off_site(enrolled):
    client = password_login("supervisor")
    response = client.post(VERIFY, {"token": code_for(enrolled), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == QUEUE
