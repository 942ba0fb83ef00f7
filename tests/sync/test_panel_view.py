"""The sync panel on the ticket page: people's words for every call to the centre, and the rest of
the page following when the ticket moves on (issue 15 §3)."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sync import services
from sync.models import SyncAttempt, SyncJob
from sync.words import _wib, problem_words
from tests.sync.test_services import RESIDENT, accept, client, make_due
from tickets import services as ticket_services
from tickets.models import Ticket
from tickets.workflow import Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sync_settings")]

RAW_CODES = ("found (200)", "updatestate", "accepted (202)", "retry", ">found<", "http_503", "timeout")


def panel(client_, ticket, shown=None):
    url = reverse("sync:panel", args=[ticket.code])
    return client_.get(url, {"shown": shown} if shown else {})


def check(job, script, resident):
    make_due(job)
    script.answer(200, {"status": "applied"}).answer(200, resident)
    return services.check_job(job.pk, client=client(script))


def wib(moment) -> str:
    """Say when, as the panel does: the time alone today, with the date on another day (a run
    that crosses midnight WIB sees the next check land tomorrow)."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"pukul {local:%H.%M} WIB"
    return f"pada {local:%d/%m/%Y} pukul {local:%H.%M} WIB"


def test_a_time_today_is_said_as_the_time_alone_and_another_day_with_its_date():
    today = timezone.localdate()
    noon = timezone.make_aware(datetime.combine(today, time(12, 0)))
    tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), time(9, 30)))
    assert _wib(noon) == "pukul 12.00 WIB"
    assert _wib(tomorrow) == f"pada {tomorrow:%d/%m/%Y} pukul 09.30 WIB"


class TestWords:
    def test_an_accepted_push_and_an_unchanged_centre_read_in_peoples_words(self, clerk_client, job, script):
        job = accept(job, script)
        assert check(job, script, {**RESIDENT, "kk_number": "3319010101100003"}) == "mismatch"
        job.refresh_from_db()
        html = panel(clerk_client, job.ticket).content.decode()
        assert "Data diterima pusat" in html
        assert f"Data di pusat belum berubah (dicek lagi {wib(job.next_attempt_at)})" in html
        assert not [code for code in RAW_CODES if code in html]

    def test_the_check_that_verified_the_job_says_the_data_is_now_correct(self, clerk_client, job, script):
        job = accept(job, script)
        check(job, script, {**RESIDENT, "kk_number": "3319010101100003"})
        assert check(job, script, RESIDENT) == "centre_applied"
        html = panel(clerk_client, job.ticket).content.decode()
        assert html.count("Data di pusat sudah sesuai") == 1
        assert html.count("Data di pusat belum berubah") == 1

    def test_a_centre_that_cannot_be_reached_says_when_it_is_tried_again_in_wib(
        self, clerk_client, job, script
    ):
        script.answer(503, {"error": "outage"})
        assert services.push_job(job.pk, client=client(script)) == "retry"
        job.refresh_from_db()
        html = panel(clerk_client, job.ticket).content.decode()
        assert f"Pusat tidak dapat dihubungi (akan dicoba lagi {wib(job.next_attempt_at)})" in html
        assert "outage" not in html and "(503)" not in html

    def test_a_refused_push_says_the_centre_refused_and_why(self, clerk_client, job, script):
        script.answer(422, {"errors": {"kk_number": ["KK tidak terdaftar"]}})
        services.push_job(job.pk, client=client(script))
        html = panel(clerk_client, job.ticket).content.decode()
        assert "Pusat menolak data:" in html and "rejected" not in html

    def test_the_words_are_english_in_english_mode(self, clerk_client, job, script):
        job = accept(job, script)
        clerk_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = panel(clerk_client, job.ticket).content.decode()
        assert "Data accepted by the centre" in html and "Data diterima pusat" not in html

    def test_a_timeout_as_the_last_problem_reads_in_peoples_words(self, clerk_client, job):
        SyncJob.objects.filter(pk=job.pk).update(last_error="timeout")
        html = panel(clerk_client, job.ticket).content.decode()
        assert "Pusat tidak menjawab tepat waktu" in html

    @pytest.mark.parametrize(
        "error, words",
        [
            ("circuit_open", "Pengiriman ditahan sebentar karena pusat sedang bermasalah"),
            ("rate_limited", "Pusat sedang sibuk"),
            ("http_503", "Pusat tidak dapat dihubungi"),
            ("ConnectError", "Pusat tidak dapat dihubungi"),
            ("http_401", "Kesalahan sistem saat menghubungi pusat; laporkan ke petugas TI"),
            ("Pengiriman ke pusat gagal 3 kali (outage).", "Pengiriman ke pusat gagal 3 kali (outage)."),
        ],
    )
    def test_each_error_code_has_its_words_and_our_own_sentences_stay(self, error, words):
        assert problem_words(error) == words

    def test_an_unknown_outcome_is_said_so_not_shown_raw(self, clerk_client, job):
        SyncAttempt.objects.create(
            job=job, operation=SyncAttempt.Operation.PUSH, outcome="teapot", status_code=418
        )
        html = panel(clerk_client, job.ticket).content.decode()
        assert "Jawaban pusat tidak dikenali" in html and "teapot" not in html


class TestThePageFollows:
    def test_a_panel_seeing_the_ticket_resolved_refreshes_the_badge_timeline_and_actions(
        self, clerk_client, job, script
    ):
        Ticket.objects.filter(pk=job.ticket_id).update(service="bansos")  # no portal stage to follow
        job = accept(job, script)
        assert check(job, script, RESIDENT) == "verified"
        html = panel(clerk_client, job.ticket, shown=Status.SENT).content.decode()
        for part in (
            'id="ticket-status"',
            'id="ticket-facts"',
            'id="ticket-timeline"',
            'id="ticket-actions"',
        ):
            assert part in html
        assert html.count("hx-swap-oob") == 4
        assert "Selesai" in html and "Data di pusat sudah sesuai. Pengaduan selesai." in html
        assert reverse("tickets:action", args=[job.ticket.code, "resolve"]) not in html
        assert 'hx-trigger="every 5s"' not in html  # verified: nothing left to poll for

    def test_a_panel_on_an_unchanged_status_carries_only_itself(self, clerk_client, job, script):
        job = accept(job, script)
        html = panel(clerk_client, job.ticket, shown=Status.SENT).content.decode()
        assert "hx-swap-oob" not in html
        assert f"?shown={Status.SENT}" in html and 'hx-trigger="every 5s"' in html

    def test_the_refreshed_actions_offer_what_the_new_status_allows(self, clerk_client, job, script):
        job = accept(job, script)
        html = panel(clerk_client, job.ticket, shown=Status.NEW).content.decode()
        assert reverse("tickets:action", args=[job.ticket.code, "resolve"]) in html
        assert 'name="csrfmiddlewaretoken"' in html

    def test_a_ticket_without_its_outbox_row_yet_keeps_the_panel_polling(self, clerk_client, job):
        SyncAttempt.objects.all().delete()
        ticket = job.ticket
        SyncJob.objects.filter(pk=job.pk).delete()
        assert 'hx-trigger="every 5s"' in panel(clerk_client, ticket).content.decode()


def test_the_panel_runs_a_constant_number_of_queries(clerk_client, clerk, job, script):
    def queries(shown):
        with CaptureQueriesContext(connection) as captured:
            assert panel(clerk_client, job.ticket, shown=shown).status_code == 200
        return len(captured)

    job = accept(job, script)
    check(job, script, {**RESIDENT, "kk_number": "3319010101100003"})
    queries(Status.SENT)  # the session's first request of the test loads what it caches
    few, few_refresh = queries(Status.SENT), queries(Status.NEW)
    for n in range(8):
        check(job, script, {**RESIDENT, "kk_number": "3319010101100003"})
        ticket_services.add_note(ticket=job.ticket, actor=clerk, text=f"Catatan {n}.")
    assert queries(Status.SENT) == few
    assert queries(Status.NEW) == few_refresh
    assert few <= 9, few  # session, user, groups, permissions (2), office, ticket, job, attempts
    assert few_refresh == few + 1  # the refreshed parts add only the timeline
