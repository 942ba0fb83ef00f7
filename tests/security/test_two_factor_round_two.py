"""Round two, finding 4: a supervisor reached /dasbor/ with a password only in production and
`check --deploy` said nothing. Now two-factor is on by default in production, a deploy check warns
when it is turned off there, enrolment hands out ten single-use backup codes for a lost phone, and
the TOTP secret is encrypted at rest like the NIK."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from helpdesk.models import EncryptedTOTPDevice
from helpdesk.twofactor import issue_backup_codes
from tests.security.test_http_headers import production_env
from tests.security.test_two_factor import DASHBOARD, SETUP, VERIFY, code_for, password_login

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def production_value(env, expression: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- on by default in production, and the deploy check -------------------------------------------


def test_production_requires_two_factor_for_supervisors_by_default(tmp_path):
    assert production_value(production_env(tmp_path), "s.REQUIRE_2FA_FOR_SUPERVISORS") == "True"


def test_check_deploy_warns_when_production_turns_two_factor_off(tmp_path):
    env = {**production_env(tmp_path), "REQUIRE_2FA_FOR_SUPERVISORS": "false"}
    result = check_deploy(env)
    assert result.returncode != 0
    assert "helpdesk.W001" in result.stderr + result.stdout
    assert "REQUIRE_2FA_FOR_SUPERVISORS is off in production" in result.stderr + result.stdout


def test_with_the_production_default_a_password_alone_does_not_reach_the_dashboard(settings, supervisor):
    settings.REQUIRE_2FA_FOR_SUPERVISORS = True  # what production now has without being told
    response = password_login("supervisor").get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


# --- backup codes --------------------------------------------------------------------------------


@pytest.fixture
def enrolled(supervisor):
    return EncryptedTOTPDevice.objects.create(user=supervisor, name="Sinkron", confirmed=True)


def test_enrolment_shows_ten_backup_codes_once(supervisor):
    client = password_login("supervisor")
    client.get(SETUP)
    device = EncryptedTOTPDevice.objects.get(user=supervisor)
    page = client.post(SETUP, {"token": code_for(device), "next": DASHBOARD})
    codes = page.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(code in page.content.decode() for code in codes)
    assert "no-store" in page["Cache-Control"]
    assert not any(code in client.get(SETUP).content.decode() for code in codes), "shown only once"


def test_a_backup_code_opens_the_verify_page_once(enrolled, supervisor):
    codes = issue_backup_codes(supervisor)
    client = password_login("supervisor")
    response = client.post(VERIFY, {"token": codes[0].upper(), "next": DASHBOARD})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200

    again = password_login("supervisor")
    refused = again.post(VERIFY, {"token": codes[0], "next": DASHBOARD})
    assert refused.status_code == 200 and "Kode salah" in refused.content.decode()
    assert again.get(DASHBOARD).status_code == 302
    assert StaticDevice.objects.get(user=supervisor).token_set.count() == 9


def test_a_wrong_backup_code_is_refused_and_counted(enrolled, supervisor):
    issue_backup_codes(supervisor)
    client = password_login("supervisor")
    response = client.post(VERIFY, {"token": "aaaaaaaa"})
    assert response.status_code == 200 and "Kode salah" in response.content.decode()
    assert StaticDevice.objects.get(user=supervisor).throttling_failure_count == 1


def test_something_that_is_neither_code_gets_a_clear_field_error(enrolled):
    client = password_login("supervisor")
    response = client.post(VERIFY, {"token": "12ab"})
    assert response.status_code == 200
    assert "6 angka dari aplikasi autentikator, atau satu kode cadangan" in response.content.decode()


def test_a_supervisor_without_backup_codes_cannot_use_one(enrolled):
    client = password_login("supervisor")
    response = client.post(VERIFY, {"token": "abcdefgh"})
    assert response.status_code == 200 and "Kode salah" in response.content.decode()


def test_deleting_a_lost_phone_in_the_admin_drops_its_backup_codes_too(enrolled, supervisor, admin):
    issue_backup_codes(supervisor)
    client = Client()
    client.force_login(admin)
    delete = reverse("admin:helpdesk_encryptedtotpdevice_delete", args=[enrolled.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not EncryptedTOTPDevice.objects.exists() and not StaticDevice.objects.exists()


# --- the secret at rest --------------------------------------------------------------------------


def test_the_totp_secret_is_encrypted_at_rest_and_still_verifies(enrolled, supervisor):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {EncryptedTOTPDevice._meta.db_table} WHERE id = %s", [enrolled.pk])
        (stored,) = cursor.fetchone()
    assert enrolled.key not in stored and stored.startswith("gAAAA")  # a Fernet token
    client = password_login("supervisor")
    assert client.post(VERIFY, {"token": code_for(enrolled), "next": DASHBOARD}).status_code == 302


def test_the_admin_never_shows_the_secret(enrolled, admin):
    client = Client()
    client.force_login(admin)
    html = client.get(
        reverse("admin:helpdesk_encryptedtotpdevice_change", args=[enrolled.pk])
    ).content.decode()
    assert enrolled.key not in html
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404  # the plain-hex model's page is gone


def test_the_migration_moves_plain_hex_devices_into_the_encrypted_table(supervisor):
    from importlib import import_module

    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    plain = TOTPDevice.objects.create(user=supervisor, name="Sinkron", confirmed=True, last_t=7)
    import_module("helpdesk.migrations.0002_encrypted_totp_device").move_plain_devices(apps, None)
    assert not TOTPDevice.objects.exists()
    moved = EncryptedTOTPDevice.objects.get(user=supervisor)
    assert (moved.key, moved.name, moved.confirmed, moved.last_t) == (plain.key, "Sinkron", True, 7)
