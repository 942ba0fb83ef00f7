"""The escalation desk's "Kirim ke pusat lewat WhatsApp": the template to the centre's number,
with the centre's report line in full built only when sent; recorded as a contact and an access."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens.models import PersonalDataAccess
from notifications import services as notification_services
from notifications.models import Notification
from sync.models import SyncJob
from tests.cast import NIK, complaint
from tickets import services
from tickets.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_ticket(office, clerk):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    now = timezone.now()
    ticket = services.mark_pushed(ticket=ticket, accepted_at=now - dt.timedelta(hours=25), sla_due_at=now)
    SyncJob.objects.filter(ticket=ticket).update(state=SyncJob.State.ACCEPTED, update_id="u-1")
    return ticket


def test_the_desk_sends_the_template_to_the_centres_whatsapp(
    supervisor_client, overdue_ticket, gateway, office
):
    office.central_contact_whatsapp = "0811-800-5373"
    office.save()
    url = reverse("escalation:send_whatsapp", args=[overdue_ticket.code])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sync.tasks.expedite.apply_async", lambda *a, **kw: None)
        response = supervisor_client.post(url)
    assert response.status_code == 302

    notification = Notification.objects.get(ticket=overdue_ticket, kind=Notification.Kind.TO_CENTRE)
    assert notification.recipient_hint == "+62811****5373" and NIK not in str(notification.__dict__)
    overdue_ticket.refresh_from_db()
    assert overdue_ticket.status == Status.ESCALATED
    assert PersonalDataAccess.objects.filter(citizen=overdue_ticket.citizen).exists()
    assert "Dikirim lewat WhatsApp (templat)" in overdue_ticket.events.last().message

    assert notification_services.deliver(notification.pk) == "sent"
    [message] = gateway.outbound("628118005373")
    assert message["template"] == "sinkron_eskalasi_pusat"
    assert f"#{NIK}#Siti_Rahayu#" in message["body"] and overdue_ticket.display_code in message["body"]


def test_a_closed_ticket_is_not_sent(supervisor_client, overdue_ticket, supervisor, gateway):
    services.close_ticket(ticket=overdue_ticket, actor=supervisor, reason="duplikat")
    response = supervisor_client.post(
        reverse("escalation:send_whatsapp", args=[overdue_ticket.code]), follow=True
    )
    assert "Tiket sudah final" in response.content.decode()
    assert not Notification.objects.filter(kind=Notification.Kind.TO_CENTRE).exists()
