"""Staff login protection (django-axes): five wrong passwords lock that username *from that address*
for 15 minutes; other addresses, other users and the correct password after the wait still work."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
COUNTER_PC = "10.20.0.11"
ELSEWHERE = "203.0.113.50"


def attempt(username, password, ip=COUNTER_PC, url=LOGIN):
    client = Client()
    response = client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)
    return client, response


def fail(username, times, ip=COUNTER_PC):
    for _ in range(times):
        _client, response = attempt(username, "salah-sandi", ip)
        assert response.status_code in (200, 429)
    return response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_from_that_address(clerk, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    fail("petugas", 4)
    client, response = attempt("petugas", PASSWORD)
    assert response.status_code == 302 and logged_in(client), "four mistakes do not lock anyone out"

    fail("petugas", 5)
    client, response = attempt("petugas", PASSWORD)
    assert response.status_code == 429 and not logged_in(client), (
        "the correct password is refused while locked"
    )


def test_the_lockout_page_is_friendly_indonesian_and_names_the_wait(clerk):
    response = fail("petugas", 5)
    html = response.content.decode()
    assert response.status_code == 429
    assert "Akun dikunci sementara" in html and "15 menit" in html
    assert "supervisor atau admin" in html
    assert "Traceback" not in html and PASSWORD not in html


def test_an_attacker_elsewhere_cannot_lock_the_clerk_out_at_the_counter(clerk):
    assert logged_in(attempt("petugas", PASSWORD, ip=COUNTER_PC)[0])  # her usual PC
    fail("petugas", 20, ip=ELSEWHERE)  # also reaches the per-username limit (across addresses)
    _client, response = attempt("petugas", PASSWORD, ip=ELSEWHERE)
    assert response.status_code == 429
    client, response = attempt("petugas", PASSWORD, ip=COUNTER_PC)
    assert response.status_code == 302 and logged_in(client)


def test_a_locked_clerk_does_not_lock_a_colleague_on_the_same_pc(clerk, supervisor):
    fail("petugas", 5)
    client, response = attempt("supervisor", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_lock_lifts_after_the_cool_off(clerk, settings):
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)
    fail("petugas", 5)
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    client, response = attempt("petugas", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_more_failures_during_the_lock_do_not_extend_it(clerk):
    """The page promises 15 minutes; a clerk who keeps trying must not push that further away."""
    fail("petugas", 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=10))
    assert fail("petugas", 3).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=6))
    client, response = attempt("petugas", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_successful_login_resets_the_count(clerk):
    fail("petugas", 4)
    assert attempt("petugas", PASSWORD)[1].status_code == 302
    fail("petugas", 4)
    client, response = attempt("petugas", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_admin_login_is_protected_the_same_way(admin):
    admin_login = reverse("admin:login")
    for _ in range(5):
        attempt("admin", "salah-sandi", url=admin_login)
    client, response = attempt("admin", PASSWORD, url=admin_login)
    assert response.status_code == 429 and not logged_in(client)


def test_admins_see_and_clear_lockouts_in_the_admin(clerk, admin):
    fail("petugas", 5)
    client = Client()
    client.force_login(admin)
    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and "petugas" in changelist.content.decode()
    lock = AccessAttempt.objects.get(username="petugas")
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[lock.pk]), {"post": "yes"})
    assert response.status_code == 302
    client, response = attempt("petugas", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_forwarded_for_header_is_ignored_unless_the_proxy_is_trusted(clerk, settings):
    """Otherwise an attacker would rotate X-Forwarded-For to get unlimited guesses."""
    settings.TRUST_X_FORWARDED_FOR = False
    for n in range(5):
        Client().post(
            LOGIN,
            {"username": "petugas", "password": "x"},
            REMOTE_ADDR=COUNTER_PC,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    _client, response = attempt("petugas", PASSWORD)
    assert response.status_code == 429


@pytest.mark.parametrize("username", ["x" * 300, "\u202epetugas", "petugas" + "\u200b" * 200])
def test_a_hostile_username_is_a_wrong_login_like_any_other_and_still_counted(clerk, username):
    """Longer than axes' column once gave a 500 (database error) instead of the login page."""
    for _ in range(4):
        _client, response = attempt(username, "salah-sandi")
        assert response.status_code == 200
    assert attempt(username, "salah-sandi")[1].status_code == 429, "the fifth failure locks"
    client, response = attempt("petugas", PASSWORD)
    assert response.status_code == 302 and logged_in(client), "the real clerk is not caught by it"


@pytest.mark.parametrize("username", ["petugas\x00", "\x00" * 5])
def test_a_username_with_a_nul_byte_is_refused_before_any_password_check(clerk, username):
    for _ in range(6):
        _client, response = attempt(username, PASSWORD)
        assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
