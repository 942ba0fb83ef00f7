"""What the clerk and the citizen see of a blocked ticket (issue 18): the ticket page's block panel
and its action, the queue's filter, the public status page, the notification, the sweeper's
accept-deadline escalation."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.messages import compose
from notifications.models import Notification
from sync import refusals, sweep
from sync.models import SyncJob
from tests.cast import NIK, complaint, nik_with_serial
from tests.sync.test_refusals import refuse
from tickets import services as ticket_services
from tickets.models import Ticket, TicketEvent
from tickets.public_views import public_answer
from tickets.workflow import Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sync_settings")]

NEXT_STEP = {
    "nik_duplicate": (
        "NIK ganda: ajukan penghapusan data ganda ke pusat.",
        "centre_escalate",
        "Ajukan ke pusat",
    ),
    "nik_blocked": ("NIK diblokir: lakukan perekaman KTP-el", "centre_escalate", "Ajukan ke pusat"),
    "nik_inactive": ("NIK nonaktif: aktivasi di loket dengan KTP-el", "reactivate", "Aktivasi"),
    "documents_required": ("Dokumen diperlukan: minta penduduk membawa dokumen", "resubmit", "Kirim ulang"),
}


def action_url(ticket, action):
    return reverse("sync:block_action", args=[ticket.code, action])


@pytest.mark.parametrize("code", sorted(NEXT_STEP))
def test_the_ticket_page_says_what_happened_what_to_do_and_offers_the_action(clerk_client, job, script, code):
    job = refuse(job, script, code)
    words, action, button = NEXT_STEP[code]

    html = clerk_client.get(reverse("tickets:detail", args=[job.ticket.code])).content.decode()

    assert "Perlu tindakan" in html and words in html
    assert action_url(job.ticket, action) in html and button in html
    assert code not in html.replace(action_url(job.ticket, action), "")


def test_the_action_is_post_only(clerk_client, job, script):
    job = refuse(job, script, "documents_required")
    assert clerk_client.get(action_url(job.ticket, "resubmit")).status_code == 405


def test_the_action_needs_the_csrf_token(clerk, job, script):
    job = refuse(job, script, "documents_required")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clerk)
    assert browser.post(action_url(job.ticket, "resubmit")).status_code == 403
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.ACTION_NEEDED


def test_an_unknown_action_is_not_found(clerk_client, job, script):
    job = refuse(job, script, "documents_required")
    assert clerk_client.post(action_url(job.ticket, "delete")).status_code == 404


def test_an_action_the_block_does_not_allow_is_refused_in_words(clerk_client, job, script):
    job = refuse(job, script, "nik_duplicate")
    response = clerk_client.post(action_url(job.ticket, "reactivate"), follow=True)
    assert "Tindakan ini tidak dapat dilakukan untuk tiket ini sekarang." in response.content.decode()
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.ACTION_NEEDED


def test_another_offices_clerk_cannot_act(client, other_clerk, job, script):
    job = refuse(job, script, "documents_required")
    client.force_login(other_clerk)
    assert client.post(action_url(job.ticket, "resubmit")).status_code == 404
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.ACTION_NEEDED


def test_resubmitting_from_the_page_queues_a_new_push_and_a_second_click_waits(clerk_client, job, script):
    job = refuse(job, script, "documents_required")
    response = clerk_client.post(action_url(job.ticket, "resubmit"), follow=True)
    assert "Data dikirim ulang ke pusat." in response.content.decode()
    job.refresh_from_db()
    assert job.state == SyncJob.State.PENDING and job.ticket.status == Status.NEW

    job = refuse(job, script, "documents_required")
    response = clerk_client.post(action_url(job.ticket, "resubmit"), follow=True)
    assert "Tunggu 30 detik" in response.content.decode()


def test_the_queue_filters_action_needed_tickets_and_names_the_block(
    clerk_client, job, script, office, clerk
):
    job = refuse(job, script, "nik_inactive")
    html = clerk_client.get(reverse("tickets:queue"), {"status": "action_needed"}).content.decode()
    assert job.ticket.display_code in html and "NIK nonaktif" in html
    assert 'id="filter-action-needed"' in html


@pytest.mark.parametrize(
    ("code", "bring"),
    [
        ("nik_inactive", "KTP-el dan KK asli untuk aktivasi"),
        ("documents_required", "KK asli, akta kelahiran"),
        ("nik_blocked", "perekaman KTP-el"),
        ("nik_duplicate", "penghapusan data ganda"),
    ],
)
def test_the_citizen_is_told_what_to_bring_on_the_status_page_and_in_the_message(job, script, code, bring):
    job = refuse(job, script, code)
    answer = public_answer(job.ticket)
    assert bring in answer["advice"] and answer["status_label"] == "Perlu tindakan"
    assert answer["expected"] is None
    notification = Notification.objects.get(ticket=job.ticket, kind=Notification.Kind.ACTION_NEEDED)
    text = compose(notification.kind, job.ticket).text
    assert bring in text and NIK not in text and code not in text


def test_the_status_page_answers_for_a_blocked_ticket(client, job, script):
    job = refuse(job, script, "nik_inactive")
    cache.clear()
    html = client.post(
        reverse("public_status"), {"nik": NIK, "kode": job.ticket.display_code}
    ).content.decode()
    assert "untuk aktivasi" in html and NIK not in html


def test_a_duplicate_taken_to_the_centre_tells_the_citizen_and_the_desk_what_was_asked(
    clerk_client, job, script, supervisor_client
):
    job = refuse(job, script, "nik_duplicate")
    clerk_client.post(action_url(job.ticket, "centre_escalate"))
    ticket = Ticket.objects.get(pk=job.ticket_id)
    assert ticket.status == Status.ESCALATED
    assert "penghapusan data ganda ke pusat" in public_answer(ticket)["advice"]
    escalated = Notification.objects.get(ticket=ticket, kind=Notification.Kind.ESCALATED)
    assert "penghapusan data ganda" in compose(escalated.kind, ticket).text
    desk = supervisor_client.get(reverse("escalation:desk")).content.decode()
    assert ticket.display_code in desk and "mohon penghapusan data ganda" in desk
    page = supervisor_client.get(reverse("tickets:detail", args=[ticket.code])).content.decode()
    assert "Sudah diajukan ke pusat" in page and action_url(ticket, "centre_escalate") not in page


def test_a_ticket_not_accepted_by_the_deadline_is_escalated_once_with_the_last_problem(ticket, settings):
    settings.SYNC_ACCEPT_DEADLINE_SECONDS = 3600
    SyncJob.objects.filter(ticket=ticket).update(last_error="timeout")
    now = timezone.now()
    assert sweep.escalate_unaccepted(now=now + dt.timedelta(minutes=59)) == 0

    assert sweep.escalate_unaccepted(now=now + dt.timedelta(minutes=61)) == 1
    assert sweep.escalate_unaccepted(now=now + dt.timedelta(minutes=62)) == 0

    event = TicketEvent.objects.get(ticket=ticket, to_status=Status.ESCALATED)
    assert event.actor is None and event.details["accept_deadline"] is True
    assert "belum diterima pusat 1 jam setelah dicatat" in event.text
    assert "Pusat tidak menjawab tepat waktu" in event.text and "timeout" not in event.text


def test_the_accept_deadline_leaves_accepted_and_blocked_tickets_alone(job, script, settings):
    settings.SYNC_ACCEPT_DEADLINE_SECONDS = 60
    refuse(job, script, "nik_inactive")
    other = ticket_services.open_ticket(
        office=job.ticket.office, created_by=None, complaint=complaint(nik=nik_with_serial(2))
    )
    ticket_services.mark_pushed(ticket=other, accepted_at=timezone.now(), sla_due_at=timezone.now())
    assert sweep.escalate_unaccepted(now=timezone.now() + dt.timedelta(hours=1)) == 0


def test_the_accept_deadline_counts_from_the_resubmission_not_from_the_counter(job, script, clerk, settings):
    settings.SYNC_ACCEPT_DEADLINE_SECONDS = 3600
    job = refuse(job, script, "documents_required")
    Ticket.objects.filter(pk=job.ticket_id).update(created_at=timezone.now() - dt.timedelta(days=3))
    refusals.request_resubmission(ticket=job.ticket, actor=clerk)  # the citizen came back days later

    assert sweep.escalate_unaccepted(now=timezone.now() + dt.timedelta(minutes=30)) == 0
    assert sweep.escalate_unaccepted(now=timezone.now() + dt.timedelta(minutes=61)) == 1
