import pytest
from cryptography.fernet import Fernet
from django.db import connection

from citizens.models import Citizen, FamilyCard
from core import crypto
from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tickets import services


def test_it_round_trips_a_value_through_encryption():
    token = crypto.encrypt(NIK)
    assert NIK not in token
    assert crypto.decrypt(token) == NIK


def test_it_encrypts_the_same_value_differently_each_time():
    assert crypto.encrypt(NIK) != crypto.encrypt(NIK)


def test_old_keys_still_decrypt_after_a_rotation(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    token = crypto.encrypt(NIK)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    assert crypto.decrypt(token) == NIK
    rotated = crypto.rotate(token)
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert crypto.decrypt(rotated) == NIK


def test_a_token_under_an_unknown_key_fails_loudly_without_the_value(settings):
    token = crypto.encrypt(NIK)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(Exception) as excinfo:
        crypto.decrypt(token)
    assert NIK not in str(excinfo.value)


def test_the_lookup_digest_depends_on_the_key_and_the_kind(settings):
    first = crypto.blind_index("nik", NIK)
    assert crypto.blind_index("kk", NIK) != first
    settings.FIELD_HMAC_KEY = "another-key"
    assert crypto.blind_index("nik", NIK) != first


@pytest.mark.django_db
def test_no_plaintext_number_reaches_the_database(office, clerk):
    services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    with connection.cursor() as cursor:
        dumps = []
        for table in ("citizens_citizen", "citizens_familycard", "tickets_ticket", "tickets_ticketevent"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dumps.append(repr(cursor.fetchall()))
    everything = "\n".join(dumps)
    for number in (NIK, KK_NEW, KK_OLD, "81234567890"):
        assert number not in everything


@pytest.mark.django_db
def test_citizens_are_found_by_nik_through_the_digest(office, clerk):
    services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    assert Citizen.objects.with_nik("3319 0141 0190 0001").get().full_name == "Siti Rahayu"
    assert not Citizen.objects.with_nik("3319014101900002").exists()
    assert not Citizen.objects.with_nik("not a nik").exists()
    assert FamilyCard.objects.with_number(KK_NEW).exists()
