"""Round two, finding 3: the lockout was per username *and* address, so 48 wrong passwords from
12 addresses and then the right one logged in. Now 20 wrong passwords for one username within
15 minutes, from anywhere, lock it for 15 minutes for every address it never signed in from, and
the admins are told; the clerk at her usual counter PC keeps working."""

import logging

import pytest
from django.core import mail
from django.core.management import call_command

from helpdesk import security
from tests.cast import PASSWORD
from tests.security.test_login_lockout import attempt, logged_in

pytestmark = pytest.mark.django_db

COUNTER_PC = "10.20.0.11"
ATTACKERS = [f"198.51.100.{n}" for n in range(1, 13)]
NEW_ADDRESS = "192.0.2.77"


def spray(username="petugas", per_address=4):
    """Four wrong passwords from each of twelve addresses: under the per-address limit of five."""
    for ip in ATTACKERS:
        for _ in range(per_address):
            _client, response = attempt(username, "salah-sandi", ip)
            assert response.status_code in (200, 429)


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Admin TI", "ti@kuduskab.go.id")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def clock(monkeypatch):
    """The lock's clock, moved by hand."""
    now = [security._now()]
    monkeypatch.setattr(security, "_now", lambda: now[0])
    return now


def test_48_wrong_passwords_from_12_addresses_then_the_right_one_is_refused(clerk, admins):
    spray()
    client, response = attempt("petugas", PASSWORD, ip=NEW_ADDRESS)
    assert response.status_code == 429 and not logged_in(client)
    html = response.content.decode()
    assert "dari berbagai perangkat" in html and "15 menit" in html and PASSWORD not in html


def test_the_lock_lifts_after_the_cool_off(clerk, admins, clock):
    spray()
    clock[0] += 14 * 60
    assert attempt("petugas", PASSWORD, ip=NEW_ADDRESS)[1].status_code == 429
    clock[0] += 2 * 60
    client, response = attempt("petugas", PASSWORD, ip=NEW_ADDRESS)
    assert response.status_code == 302 and logged_in(client)


def test_the_clerk_at_her_usual_counter_pc_is_not_locked_out(clerk, admins):
    assert logged_in(attempt("petugas", PASSWORD, ip=COUNTER_PC)[0])  # she signed in there before
    spray()
    client, response = attempt("petugas", PASSWORD, ip=COUNTER_PC)
    assert response.status_code == 302 and logged_in(client)


def test_nineteen_failures_across_addresses_lock_nobody(clerk, admins):
    for index in range(19):
        attempt("petugas", "salah-sandi", ATTACKERS[index % 12])
    client, response = attempt("petugas", PASSWORD, ip=NEW_ADDRESS)
    assert response.status_code == 302 and logged_in(client)
    assert not mail.outbox


def test_the_admins_get_one_notice_and_a_log_line_without_the_password(clerk, admins, caplog):
    with caplog.at_level(logging.WARNING, logger="helpdesk.security"):
        spray()
        attempt("petugas", PASSWORD, ip=NEW_ADDRESS)
    (notice,) = mail.outbox
    assert notice.to == ["ti@kuduskab.go.id"] and "petugas" in notice.subject
    assert "unlock_username petugas" in notice.body
    assert "locked for 15 minutes" in caplog.text
    assert "salah-sandi" not in caplog.text + notice.body and PASSWORD not in caplog.text + notice.body


def test_another_user_is_not_affected(clerk, supervisor, admins):
    spray("petugas")
    client, response = attempt("supervisor", PASSWORD, ip=NEW_ADDRESS)
    assert response.status_code == 302 and logged_in(client)


def test_an_admin_lifts_the_lock_early_with_a_command(clerk, admins):
    spray()
    call_command("unlock_username", "petugas")
    client, response = attempt("petugas", PASSWORD, ip=NEW_ADDRESS)
    assert response.status_code == 302 and logged_in(client)
