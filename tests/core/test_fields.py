"""The encrypted number's companions, filled on every save by core.fields.EncryptedNumbers."""

import pytest
from django.db import connection

from citizens.models import Citizen, FamilyCard, nik_digest
from citizens.nik import InvalidNumber
from tests.cast import KK_NEW, NIK, complaint
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def test_a_saved_number_is_normalized_digested_and_masked_and_stored_only_encrypted():
    citizen = Citizen(
        nik=f"{NIK[:4]}.{NIK[4:8]} {NIK[8:]}", full_name="Siti", birth_date="1990-01-01", sex="P"
    )
    citizen.save()
    assert (citizen.nik, citizen.nik_digest, citizen.nik_last4) == (NIK, nik_digest(NIK), NIK[-4:])
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik FROM citizens_citizen WHERE id = %s", [citizen.pk])
        assert NIK not in cursor.fetchone()[0]
    assert Citizen.objects.with_nik(NIK).get() == citizen


def test_a_changed_number_gets_new_companions():
    card = FamilyCard.objects.create(kk_number=KK_NEW)
    card.kk_number = KK_NEW[:-4] + "0000"
    card.save()
    card.refresh_from_db()
    assert card.kk_last4 == "0000" and FamilyCard.objects.with_number(KK_NEW[:-4] + "0000").get() == card


def test_an_optional_number_left_empty_stays_empty_and_a_given_one_is_normalized(office, clerk):
    ticket = ticket_services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(kk_number_old="")
    )
    assert ticket.kk_number_old == "" and ticket.kk_last4 == ticket.kk_number[-4:]
    ticket.kk_number_old = f"{KK_NEW[:8]} {KK_NEW[8:]}"
    ticket.save()
    assert ticket.kk_number_old == KK_NEW


def test_a_number_that_is_no_number_is_refused_before_anything_is_written():
    with pytest.raises(InvalidNumber):
        Citizen(nik="12345", full_name="Siti", birth_date="1990-01-01", sex="P").save()
    assert not Citizen.objects.exists()
