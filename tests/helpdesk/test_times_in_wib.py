"""Every time a person reads is in WIB: a ticket filed at 07:05 UTC shows 14:05 on the pages."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.cast import complaint
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

FILED_UTC = dt.datetime(2026, 12, 1, 7, 5, tzinfo=dt.UTC)
WIB = "01/12/2026 14:05"
UTC = "07:05"


@pytest.fixture
def ticket(office, clerk):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    Ticket.objects.filter(pk=ticket.pk).update(created_at=FILED_UTC)
    ticket.events.update(created_at=FILED_UTC)
    ticket.citizen.accesses.all().delete()  # the subject page records one of its own, at "now"
    return Ticket.objects.get(pk=ticket.pk)


def assert_wib(html: str) -> None:
    assert WIB in html
    assert UTC not in html


def test_the_queue_and_the_ticket_page_show_wib(clerk_client, ticket):
    assert_wib(clerk_client.get(reverse("tickets:queue")).content.decode())
    assert_wib(clerk_client.get(reverse("tickets:detail", args=[ticket.code])).content.decode())
    assert_wib(clerk_client.get(reverse("tickets:slip", args=[ticket.code])).content.decode())


def test_the_subject_access_page_shows_wib_and_its_export_carries_the_wib_offset(supervisor_client, ticket):
    page = supervisor_client.get(reverse("subject_access:detail", args=[ticket.citizen.pk])).content.decode()
    assert WIB in page and "+00:00" not in page
    export = json.loads(
        supervisor_client.post(reverse("subject_access:export_json", args=[ticket.citizen.pk])).content
    )
    assert export["tickets"][0]["created_at"] == "2026-12-01T14:05:00+07:00"
    assert export["timeline"][0]["at"] == "2026-12-01T14:05:00+07:00"


def test_the_admin_shows_wib_in_lists_readonly_fields_and_titles(client, ticket):
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    # The admin writes Django's Indonesian format: "1 Des. 2026, 14.05".
    lists = client.get(reverse("admin:tickets_ticket_changelist")).content.decode()
    assert "2026, 14.05" in lists and "2026, 7.05" not in lists
    change = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    assert "2026, 14.05" in change and "2026, 7.05" not in change
    event = ticket.events.first()
    assert str(event).endswith(f"@ {WIB}")
    event_page = client.get(reverse("admin:tickets_ticketevent_change", args=[event.pk])).content.decode()
    assert WIB in event_page and UTC not in event_page
