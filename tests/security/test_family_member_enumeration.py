"""Security round two, finding 11: a family-intake member row that names a recorded citizen by id
(`citizen=<pk>`) is accepted only when that citizen is on the KK typed; any other id gets a field
error and echoes nothing of that citizen (no masked NIK, no id to retry with)."""

import datetime as dt

import pytest
from django.urls import reverse

from citizens.models import Citizen, FamilyMembership
from families.models import FamilyMember
from tests.cast import KK_NEW, complaint
from tests.families.support import DAUGHTER, family_form
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = reverse("families:intake")
KK_ELSEWHERE = "3374011503260005"
STRANGER_NIK = "3374010101850777"  # another office's citizen, on another KK
NOT_ON_KK = "tidak tercatat pada Nomor KK di atas"


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("notifications.tasks.send_notification.apply_async", lambda *a, **k: None)
    monkeypatch.setattr("sync.tasks.nudge", lambda *args, **kwargs: None)


@pytest.fixture
def stranger(other_office, other_clerk):
    ticket = services.open_ticket(
        office=other_office,
        created_by=other_clerk,
        complaint=complaint(
            nik=STRANGER_NIK,
            full_name="Orang Lain",
            birth_date=dt.date(1985, 1, 1),
            sex="L",
            kk_number=KK_ELSEWHERE,
            kk_number_old="",
        ),
    )
    return ticket.citizen


def _row(citizen, **extra):
    row = {
        "citizen": str(citizen.pk),
        "nik": "",
        "full_name": "Siapa Saja",
        "birth_date": "1985-01-01",
        "sex": "L",
        "relation": "suami",
    }
    row.update(extra)
    return row


def test_a_citizen_of_another_kk_named_by_id_gets_a_field_error_and_no_masked_nik(clerk_client, stranger):
    response = clerk_client.post(URL, family_form([_row(stranger), DAUGHTER]))
    assert response.status_code == 200
    form = response.context["members"].forms[0]
    assert NOT_ON_KK in form.errors["nik"][0]
    html = response.content.decode()
    assert "*0777" not in html and "Orang Lain" not in html
    assert f'name="anggota-0-citizen" value="{stranger.pk}"' not in html, "the id is not carried on"
    assert not Ticket.objects.exclude(citizen=stranger).exists()


def test_no_masked_nik_is_echoed_when_the_rest_of_the_form_is_invalid_too(clerk_client, stranger):
    response = clerk_client.post(URL, family_form([_row(stranger)], kk_number="12"))
    assert response.status_code == 200
    assert "*0777" not in response.content.decode()
    assert response.context["members"].forms[0].known_citizen is None


def test_a_typed_nik_replaces_a_refused_reference(clerk_client, stranger):
    typed = _row(stranger, nik="3319010101880002", full_name="Budi Santoso", birth_date="1988-01-01")
    response = clerk_client.post(URL, family_form([typed]))
    assert response.status_code == 302
    assert Citizen.objects.with_nik("3319010101880002").get().tickets.count() == 1
    assert stranger.tickets.count() == 1, "the referenced citizen got no ticket"


def test_a_citizen_on_the_typed_kk_is_accepted_by_id(clerk_client, office, clerk):
    known = services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(nik="3319010101880001", full_name="Budi Santoso", sex="L", kk_number=KK_NEW),
    ).citizen
    response = clerk_client.post(
        URL, family_form([_row(known, full_name="Budi Santoso", birth_date="1988-01-01")])
    )
    assert response.status_code == 302
    assert FamilyMember.objects.filter(ticket__citizen=known).exists()


def test_a_citizen_whose_kk_history_holds_the_typed_kk_is_accepted_by_id(
    clerk_client, office, clerk, stranger
):
    from citizens.models import FamilyCard

    FamilyMembership.objects.create(citizen=stranger, family_card=FamilyCard.objects.create(kk_number=KK_NEW))
    response = clerk_client.post(URL, family_form([_row(stranger, birth_date="1985-01-01")]))
    assert response.status_code == 302
    assert FamilyMember.objects.filter(ticket__citizen=stranger).exists()
