"""An action the ticket's status no longer allows goes back to the ticket with a message naming the
status and keeps what the clerk typed; only a role that never may gets the 403 page (issue 15 §3)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.cast import complaint
from tickets import services, views
from tickets.models import TicketEvent
from tickets.workflow import Status

pytestmark = pytest.mark.django_db

TYPED = "Pemohon menunjukkan KK asli; data sudah dicek ulang."


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


@pytest.fixture
def sent(ticket):
    now = timezone.now()
    return services.mark_pushed(ticket=ticket, accepted_at=now, sla_due_at=now + timezone.timedelta(days=1))


def action_url(ticket, action):
    return reverse("tickets:action", args=[ticket.code, action])


def detail_url(ticket):
    return reverse("tickets:detail", args=[ticket.code])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_rejecting_a_ticket_resolved_meanwhile_returns_to_it_naming_the_status(clerk_client, sent):
    services.mark_verified(ticket=sent)
    events = sent.events.count()
    response = clerk_client.post(action_url(sent, "reject"), {"reason": TYPED})
    assert response.status_code == 302 and response.url == detail_url(sent)
    page = clerk_client.get(response.url)
    assert any(m.startswith("Tiket sudah Selesai;") for m in messages_of(page))
    sent.refresh_from_db()
    assert sent.status == Status.RESOLVED and sent.events.count() == events


def test_the_typed_reason_comes_back_in_the_note_field_when_no_status_action_is_left(clerk_client, sent):
    services.mark_verified(ticket=sent)
    response = clerk_client.post(action_url(sent, "resolve"), {"reason": TYPED}, follow=True)
    assert response.context["note_form"].initial == {"text": TYPED}
    assert TYPED in response.content.decode()
    assert any("dipindahkan ke kolom Catatan Internal" in m for m in messages_of(response))


def test_the_typed_reason_comes_back_in_the_reason_field_when_another_status_action_remains(
    supervisor_client, supervisor, sent
):
    services.escalate_ticket(ticket=sent, actor=supervisor, reason="Mendesak: tes CPNS besok.")
    response = supervisor_client.post(action_url(sent, "escalate"), {"reason": TYPED}, follow=True)
    assert any(m.startswith("Tiket sudah Eskalasi;") for m in messages_of(response))
    assert response.context["reason_form"].initial == {"reason": TYPED}
    assert response.context["note_form"].initial == {}


def test_the_kept_text_is_given_back_once(clerk_client, sent):
    services.mark_verified(ticket=sent)
    clerk_client.post(action_url(sent, "reject"), {"reason": TYPED}, follow=True)
    assert TYPED not in clerk_client.get(detail_url(sent)).content.decode()


def test_resolving_a_ticket_not_yet_sent_says_it_is_still_new(clerk_client, ticket):
    response = clerk_client.post(action_url(ticket, "resolve"), {"reason": TYPED}, follow=True)
    assert any(m.startswith("Tiket masih Baru;") for m in messages_of(response))
    assert response.context["reason_form"].initial == {"reason": TYPED}  # rejecting is still possible
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_ticket_resolved_between_the_check_and_the_lock_is_handled_the_same(
    clerk_client, sent, monkeypatch
):
    checked = views.allowed_actions

    def resolved_right_after_the_check(user, ticket):
        actions = checked(user, ticket)
        if ticket.status == Status.SENT:
            services.mark_verified(ticket=ticket)  # the worker wins the race
        return actions

    monkeypatch.setattr(views, "allowed_actions", resolved_right_after_the_check)
    response = clerk_client.post(action_url(sent, "reject"), {"reason": TYPED}, follow=True)
    assert response.redirect_chain == [(detail_url(sent), 302)]
    assert any(m.startswith("Tiket sudah Selesai;") for m in messages_of(response))
    assert TYPED in response.content.decode()
    assert not sent.events.filter(kind=TicketEvent.Kind.STATUS, to_status=Status.REJECTED).exists()


def test_a_role_that_never_may_still_gets_the_403_page_on_a_final_ticket(clerk_client, supervisor, sent):
    services.close_ticket(ticket=sent, actor=supervisor, reason="Duplikat.")
    response = clerk_client.post(action_url(sent, "close"), {"reason": TYPED})
    assert response.status_code == 403


def test_the_message_is_english_in_english_mode(clerk_client, sent):
    services.mark_verified(ticket=sent)
    clerk_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = clerk_client.post(action_url(sent, "reject"), {"reason": TYPED}, follow=True)
    assert any(m.startswith("The ticket is already Resolved;") for m in messages_of(response))
