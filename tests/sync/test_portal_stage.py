"""The second stage in-process, against a scripted registry: after the centre shows the data, the
portal the citizen named is asked until it shows it too, or until its window has passed."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.messages import compose
from notifications.models import Notification
from sync import portal, services
from sync.models import SyncAttempt, SyncJob
from tests.sync.test_services import RESIDENT, accept, client, make_due
from tickets import services as ticket_services
from tickets.workflow import Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sync_settings")]
BEHIND = {**RESIDENT, "portal": "sscasn", "kk_number": "3319010101100003", "up_to_date": False}
CURRENT = {**RESIDENT, "portal": "sscasn", "up_to_date": True, "catches_up_at": None}


@pytest.fixture
def centre_applied(job, script):
    """A job whose centre check matched: the ticket is Selesai di pusat, the portal stage begins."""
    job = accept(job, script)
    make_due(job)
    script.answer(200, {"status": "applied"}).answer(200, RESIDENT)
    assert services.check_job(job.pk, client=client(script)) == "centre_applied"
    job.refresh_from_db()
    return job


def ask_portal(job, script, status, body=None, headers=None, now=None):
    make_due(job)
    script.answer(status, body, headers)
    return portal.check_portal_job(job.pk, client=client(script), now=now)


def test_the_portal_showing_the_data_resolves_the_ticket_with_the_portal_named(centre_applied, script):
    assert ask_portal(centre_applied, script, 200, CURRENT) == "portal_seen"
    assert script.requests[-1].url.path.endswith("/portals/sscasn/residents/" + RESIDENT["nik"])
    centre_applied.refresh_from_db()
    assert centre_applied.state == SyncJob.State.VERIFIED and centre_applied.portal_checks == 1
    ticket = centre_applied.ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.portal_seen_at and ticket.resolved_at
    assert ticket.portal_window_passed_at is None
    assert ticket.events.last().text == "Portal SSCASN sudah menampilkan data terbaru. Pengaduan selesai."
    assert "sudah tampil di SSCASN" in compose(Notification.Kind.RESOLVED, ticket).text


def test_a_portal_still_behind_is_asked_again_later_and_when_it_says_it_catches_up(centre_applied, script):
    soon = timezone.now() + dt.timedelta(minutes=20)
    outcome = ask_portal(centre_applied, script, 200, {**BEHIND, "catches_up_at": soon.isoformat()})
    assert outcome == "not_yet"
    centre_applied.refresh_from_db()
    assert centre_applied.state == SyncJob.State.PORTAL and centre_applied.portal_checks == 1
    assert centre_applied.next_attempt_at == soon  # sooner than the schedule's +1 h
    assert centre_applied.ticket.status == Status.CENTRE_APPLIED
    assert SyncAttempt.objects.filter(operation=SyncAttempt.Operation.PORTAL).get().outcome == "portal_behind"


def test_a_portal_current_but_showing_other_data_is_not_taken_as_seen(centre_applied, script):
    assert ask_portal(centre_applied, script, 200, {**CURRENT, "kk_number": "3319010101100003"}) == "not_yet"


def test_a_portal_that_does_not_know_the_resident_yet_is_asked_again(centre_applied, script):
    assert ask_portal(centre_applied, script, 404, {"error": "not_found"}) == "not_yet"
    centre_applied.refresh_from_db()
    assert centre_applied.next_attempt_at > timezone.now() + dt.timedelta(minutes=59)


def test_the_windows_end_resolves_with_the_final_message_even_when_the_portal_still_lags(
    centre_applied, script
):
    after_window = centre_applied.verified_at + dt.timedelta(days=3, seconds=1)
    assert ask_portal(centre_applied, script, 200, BEHIND, now=after_window) == "window_passed"
    ticket = centre_applied.ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.portal_window_passed_at and not ticket.portal_seen_at
    assert "belum menampilkannya setelah 3x24 jam" in ticket.events.last().text
    text = compose(Notification.Kind.RESOLVED, ticket).text
    assert "hubungi layanan bantuan SSCASN" in text and "sudah benar" in text


def test_a_portal_that_cannot_be_reached_is_retried_soon_but_never_past_the_windows_end(
    centre_applied, script
):
    window_ends_at = timezone.now() + dt.timedelta(seconds=5)
    SyncJob.objects.filter(pk=centre_applied.pk).update(verified_at=window_ends_at - dt.timedelta(days=3))
    outcome = ask_portal(centre_applied, script, 503, {"error": "outage"}, {"Retry-After": "60"})
    assert outcome == "retry"
    centre_applied.refresh_from_db()
    assert centre_applied.next_attempt_at == window_ends_at
    assert centre_applied.portal_checks == 0 and centre_applied.last_error == "outage"


def test_an_unreachable_portal_at_the_windows_end_still_ends_the_ticket(centre_applied, script):
    after_window = centre_applied.verified_at + dt.timedelta(days=3, seconds=1)
    assert ask_portal(centre_applied, script, 503, {"error": "outage"}, now=after_window) == "window_passed"


def test_a_ticket_staff_resolved_meanwhile_stops_the_portal_checks_without_a_call(
    centre_applied, script, supervisor
):
    ticket_services.resolve_ticket(
        ticket=centre_applied.ticket, actor=supervisor, reason="Penduduk sudah bisa login."
    )
    make_due(centre_applied)
    assert portal.check_portal_job(centre_applied.pk, client=client(script)) == "cancelled"
    assert not [r for r in script.requests if "/portals/" in r.url.path]


def test_one_message_at_centre_applied_and_one_at_the_end(centre_applied, script):
    ask_portal(centre_applied, script, 200, BEHIND)
    ask_portal(centre_applied, script, 200, CURRENT)
    kinds = list(Notification.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [Notification.Kind.OPENED, Notification.Kind.CENTRE_APPLIED, Notification.Kind.RESOLVED]
    text = compose(Notification.Kind.CENTRE_APPLIED, centre_applied.ticket).text
    assert "SSCASN biasanya menyusul maks. 3x24 jam" in text


def test_check_now_on_the_portal_stage_makes_the_portal_check_due(centre_applied, clerk):
    SyncJob.objects.filter(pk=centre_applied.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(hours=3)
    )
    services.request_check_now(ticket=centre_applied.ticket, actor=clerk)
    centre_applied.refresh_from_db()
    assert centre_applied.next_attempt_at <= timezone.now()
