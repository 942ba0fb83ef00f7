"""Round two, finding 1: the lost-slip page (/cek-status/lupa-kode/) answered a NIK with an open
ticket and a phone 4-15 ms slower than an unknown one, because the request itself looked the ticket
up, inserted the notification and published. Now the request does the same work for every NIK:
one publish of tickets.tasks.resend_code with the NIK's keyed digest; the worker looks up and sends."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citizens.models import nik_digest
from notifications.models import Notification
from tests.cast import NIK, complaint, nik_with_serial
from tickets import services, tasks

pytestmark = pytest.mark.django_db
URL = reverse("public_resend")
UNKNOWN = nik_with_serial(42)


@pytest.fixture
def published(monkeypatch):
    """Every message the page publishes, in place of the broker."""
    messages = []
    monkeypatch.setattr(
        tasks.resend_code, "apply_async", lambda args, **options: messages.append((args, options))
    )
    return messages


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def statements_of(client, nik: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, {"nik": nik})
    assert response.status_code == 200 and "sent" in response.context
    return [query["sql"] for query in captured.captured_queries]


def test_a_known_and_an_unknown_nik_run_the_same_statements_and_publish_once_each(client, ticket, published):
    statements_of(client, UNKNOWN)  # warm-up: first-request caches (content types, sessions)
    published.clear()
    assert statements_of(client, NIK) == statements_of(client, UNKNOWN)
    assert [args for args, _options in published] == [(nik_digest(NIK),), (nik_digest(UNKNOWN),)]
    assert not Notification.objects.filter(kind=Notification.Kind.CODE_RESEND).exists()


def test_the_published_message_carries_the_digest_never_the_nik(client, ticket, published):
    client.post(URL, {"nik": NIK})
    ((args, _options),) = published
    assert NIK not in repr(args)


def test_the_worker_queues_the_code_for_an_open_ticket_with_a_phone(
    ticket, django_capture_on_commit_callbacks
):
    assert tasks.resend_code(nik_digest(NIK)) is True
    resend = Notification.objects.get(kind=Notification.Kind.CODE_RESEND)
    assert resend.ticket_id == ticket.pk


def test_the_worker_does_nothing_for_an_unknown_or_invalid_nik(ticket):
    assert tasks.resend_code(nik_digest(UNKNOWN)) is False
    assert tasks.resend_code("invalid") is False
    assert not Notification.objects.filter(kind=Notification.Kind.CODE_RESEND).exists()


def test_the_worker_does_nothing_without_a_phone_or_an_open_ticket(office, clerk, ticket):
    no_phone = services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(3), phone="")
    )
    services.close_ticket(ticket=ticket, actor=clerk, reason="Selesai di loket")
    assert tasks.resend_code(nik_digest(NIK)) is False
    assert tasks.resend_code(no_phone.citizen.nik_digest) is False
    assert not Notification.objects.filter(kind=Notification.Kind.CODE_RESEND).exists()


def test_the_rate_limit_still_applies_in_the_request(client, ticket, published, settings):
    settings.RESEND_RATE_PER_NIK = "1/1000000000"
    client.post(URL, {"nik": NIK})
    assert client.post(URL, {"nik": NIK}, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert len(published) == 1


def test_a_broker_failure_still_gives_the_neutral_answer_and_logs_no_nik(client, ticket, monkeypatch, caplog):
    def broker_down(*args, **options):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.resend_code, "apply_async", broker_down)
    with caplog.at_level(logging.WARNING):
        response = client.post(URL, {"nik": NIK})
    assert response.status_code == 200 and response.context["sent"] is True
    assert "could not publish a lost-slip code resend" in caplog.text and NIK not in caplog.text
