"""Security round two, finding 10: a NIK typed into free text (the complaint's description, a note,
a reason, a correction's reason) is masked to its last four digits on save, however it is written.
The original is not kept: the ticket holds the citizen's NIK encrypted already."""

import pytest
from django.urls import reverse

from citizens.models import Citizen, DataCorrection
from citizens.services import correct_citizen
from tests.cast import NIK, complaint
from tickets import services
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

OTHER_NIK_SPACED = "3319 0141 0190 0002"
MASKED_OTHER = "************0002"


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("notifications.tasks.send_notification.apply_async", lambda *a, **k: None)
    monkeypatch.setattr("sync.tasks.nudge", lambda *args, **kwargs: None)


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def test_a_nik_in_the_description_is_stored_and_shown_masked(clerk_client):
    response = clerk_client.post(
        reverse("tickets:intake"),
        {
            "nik": NIK,
            "full_name": "Siti Rahayu",
            "birth_date": "1990-01-01",
            "sex": "P",
            "kk_number": "3319011503260002",
            "category": "name",
            "service": "sscasn",
            "description": f"Suami (NIK {OTHER_NIK_SPACED}) juga ditolak.",
        },
    )
    assert response.status_code == 302
    ticket = Citizen.objects.get().tickets.get()
    assert ticket.description == f"Suami (NIK {MASKED_OTHER}) juga ditolak."
    html = clerk_client.get(reverse("tickets:detail", args=[ticket.code])).content.decode()
    assert OTHER_NIK_SPACED not in html and f"Suami (NIK {MASKED_OTHER})" in html


def test_a_description_typed_with_an_error_elsewhere_comes_back_as_typed(clerk_client):
    description = f"Suami (NIK {OTHER_NIK_SPACED}) juga ditolak."
    response = clerk_client.post(reverse("tickets:intake"), {"nik": "123", "description": description})
    assert response.status_code == 200
    assert response.context["form"]["description"].value() == description


def test_a_nik_in_a_note_is_masked(ticket, clerk):
    event = services.add_note(ticket=ticket, actor=clerk, text="Cek NIK 331901-410190-0002 di SIAK.")
    assert TicketEvent.objects.get(pk=event.pk).message == f"Cek NIK {MASKED_OTHER} di SIAK."


def test_a_note_that_was_only_a_nik_is_kept_masked_not_refused(ticket, clerk):
    event = services.add_note(ticket=ticket, actor=clerk, text=OTHER_NIK_SPACED)
    assert event.message == MASKED_OTHER


def test_a_nik_in_a_reason_is_masked_in_the_timeline_and_the_outcome(ticket, supervisor):
    services.close_ticket(ticket=ticket, actor=supervisor, reason=f"Ganda dengan NIK {OTHER_NIK_SPACED}.")
    ticket.refresh_from_db()
    assert ticket.outcome_note == f"Ganda dengan NIK {MASKED_OTHER}."
    assert ticket.events.last().message == f"Ganda dengan NIK {MASKED_OTHER}."


def test_a_nik_in_a_correction_reason_is_masked(ticket, supervisor):
    correction = correct_citizen(
        citizen=ticket.citizen,
        actor=supervisor,
        changes={"full_name": "Siti R."},
        reason=f"Tertukar dengan {OTHER_NIK_SPACED}",
    )
    assert DataCorrection.objects.get(pk=correction.pk).reason == f"Tertukar dengan {MASKED_OTHER}"


def test_decimals_and_phone_numbers_in_free_text_are_left_alone(ticket, clerk):
    text = "Hubungi 0812-3456-7890; biaya 0.0846543070000242."
    assert services.add_note(ticket=ticket, actor=clerk, text=text).message == text
