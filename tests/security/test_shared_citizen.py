"""Security round two, finding 8: an intake at another office with a citizen this office already
serves must not silently rewrite that citizen. Contact data is kept per ticket; other identity
data is a recorded, attributed correction that every office sees; a supervisor's subject-access
page lists only their own office's tickets in detail."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from citizens.models import Citizen, DataCorrection
from desk import centre
from notifications.channels import get_channel
from notifications.models import Notification
from tests.cast import complaint, make_staff
from tickets import services
from tickets.permissions import SUPERVISOR_GROUP

pytestmark = pytest.mark.django_db

PHONE_A, PHONE_B = "+6281234567890", "+6285700001111"


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("notifications.tasks.send_notification.apply_async", lambda *a, **k: None)
    monkeypatch.setattr("sync.tasks.nudge", lambda *args, **kwargs: None)


@pytest.fixture
def ticket_a(office, clerk):
    return services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(phone=PHONE_A, email="siti@example.id")
    )


@pytest.fixture
def ticket_b(ticket_a, other_office, other_clerk):
    return services.open_ticket(
        office=other_office,
        created_by=other_clerk,
        complaint=complaint(
            full_name="Siti Rahayu Wulandari",
            phone=PHONE_B,
            email="lain@example.id",
            category="name",
            description="Nama di KTP berbeda.",
        ),
    )


def test_an_intake_at_another_office_keeps_this_offices_contact_for_its_ticket(ticket_a, ticket_b):
    ticket_a.refresh_from_db()
    assert (ticket_a.phone, ticket_a.email) == (PHONE_A, "siti@example.id")
    assert (ticket_b.phone, ticket_b.email) == (PHONE_B, "lain@example.id")
    citizen = Citizen.objects.get()
    assert (citizen.phone, citizen.email) == (PHONE_A, "siti@example.id")


def test_each_tickets_messages_go_to_the_contact_given_with_it(ticket_a, ticket_b):
    sms, email = get_channel("console"), get_channel("email")
    ticket_a.refresh_from_db()
    assert sms.address_for(ticket_a) == PHONE_A and email.address_for(ticket_a) == "siti@example.id"
    assert sms.address_for(ticket_b) == PHONE_B and email.address_for(ticket_b) == "lain@example.id"
    hints = dict(Notification.objects.values_list("ticket_id", "recipient_hint"))
    assert hints[ticket_a.pk].endswith("7890") and hints[ticket_b.pk].endswith("1111")


def test_the_centres_escalation_message_names_the_tickets_own_contact(ticket_a, ticket_b):
    message = centre.escalation_message(ticket_a)
    assert "081234567890" in message and "085700001111" not in message


def test_a_ticket_without_a_contact_uses_the_one_on_record(ticket_a, office, clerk):
    later = services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(phone="", category="name")
    )
    assert later.phone == PHONE_A


def test_another_name_typed_at_another_office_is_a_recorded_correction(ticket_b, other_clerk):
    citizen = Citizen.objects.get()
    assert citizen.full_name == "Siti Rahayu Wulandari"
    correction = DataCorrection.objects.get()
    assert correction.fields == ["full_name"]
    assert correction.actor == other_clerk
    assert (correction.office_code, correction.office_name) == ("3374", "Disdukcapil Kota Semarang")
    assert "Siti" not in correction.reason, "the values stay out of the record"


def test_the_same_identity_typed_again_records_no_correction(ticket_a, office, clerk):
    services.open_ticket(office=office, created_by=clerk, complaint=complaint(category="name", phone=PHONE_B))
    assert not DataCorrection.objects.exists()


def test_a_changed_birth_date_and_sex_are_corrections_too(ticket_a, other_office, other_clerk):
    services.open_ticket(
        office=other_office,
        created_by=other_clerk,
        complaint=complaint(birth_date=dt.date(1990, 1, 2), sex="L", category="birth"),
    )
    assert DataCorrection.objects.get().fields == ["birth_date", "sex"]


@pytest.fixture
def supervisor_a(client, office):
    client.force_login(make_staff("spv_kudus", office, SUPERVISOR_GROUP))
    return client


def test_this_offices_subject_page_counts_the_other_offices_ticket_without_its_details(
    supervisor_a, ticket_a, ticket_b
):
    html = supervisor_a.get(reverse("subject_access:detail", args=[ticket_a.citizen_id])).content.decode()
    assert ticket_a.display_code in html
    assert ticket_b.display_code not in html
    assert "Nama di KTP berbeda." not in html and "085700001111" not in html and PHONE_B not in html
    assert "1 pengaduan di kantor lain (Disdukcapil Kota Semarang)" in html


def test_this_offices_subject_page_shows_the_other_offices_correction(supervisor_a, ticket_a, ticket_b):
    html = supervisor_a.get(reverse("subject_access:detail", args=[ticket_a.citizen_id])).content.decode()
    assert "petugas_semarang (Disdukcapil Kota Semarang) · Nama Lengkap" in html


def test_the_subject_export_keeps_the_other_offices_ticket_to_a_count(supervisor_a, ticket_a, ticket_b):
    response = supervisor_a.post(reverse("subject_access:export_json", args=[ticket_a.citizen_id]))
    data = json.loads(response.content)
    assert [t["code"] for t in data["tickets"]] == [ticket_a.display_code]
    assert {t["ticket"] for t in data["timeline"]} == {ticket_a.display_code}
    assert data["other_offices"] == [{"office": "Disdukcapil Kota Semarang", "tickets": 1}]
    assert data["corrections"][0]["office"] == "Disdukcapil Kota Semarang"


def test_the_migration_gives_existing_tickets_their_citizens_contact(ticket_a):
    from importlib import import_module

    from django.apps import apps

    from tickets.models import Ticket

    migration = import_module("tickets.migrations.0009_ticket_contact")
    Ticket.objects.update(phone="", email="")  # as the column was added: empty
    migration.copy_contact_from_citizens(apps, None)
    ticket_a.refresh_from_db()
    assert (ticket_a.phone, ticket_a.email) == (PHONE_A, "siti@example.id")


def test_other_data_from_a_proactive_import_is_a_correction_by_the_system_at_that_office(
    ticket_a, other_office
):
    services.open_ticket(
        office=other_office,
        created_by=None,
        complaint=complaint(full_name="Siti Rahayu Dewi", phone="", category="proactive"),
    )
    correction = DataCorrection.objects.get()
    assert correction.actor is None and correction.office_name == "Disdukcapil Kota Semarang"


def test_a_system_correction_reads_as_the_system_on_the_subject_page(supervisor_a, ticket_a, other_office):
    services.open_ticket(
        office=other_office,
        created_by=None,
        complaint=complaint(full_name="Siti Rahayu Dewi", phone="", category="proactive"),
    )
    html = supervisor_a.get(reverse("subject_access:detail", args=[ticket_a.citizen_id])).content.decode()
    assert "sistem (Disdukcapil Kota Semarang) · Nama Lengkap" in html


def test_a_contact_corrected_at_subject_access_reaches_this_offices_open_tickets_only(
    supervisor_a, ticket_a, ticket_b
):
    response = supervisor_a.post(
        reverse("subject_access:detail", args=[ticket_a.citizen_id]),
        {
            "full_name": "Siti Rahayu Wulandari",
            "birth_date": "1990-01-01",
            "sex": "P",
            "phone": "0813-0000-2222",
            "email": "siti@example.id",
            "reason": "Nomor HP baru.",
        },
    )
    assert response.status_code == 302
    ticket_a.refresh_from_db()
    ticket_b.refresh_from_db()
    assert ticket_a.phone == "+6281300002222" and ticket_b.phone == PHONE_B
    assert ticket_a.events.last().message == "Kontak pemohon dikoreksi (akses subjek)."
