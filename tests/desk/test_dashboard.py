import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from desk.selectors import dashboard as selectors
from desk.selectors.dashboard import Period
from desk.tasks import snapshot_status_counts
from tests.cast import complaint, nik_with_serial
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:index")
NOW = timezone.now()
H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def no_cache():
    cache.clear()


def open_ticket(office, clerk, serial, created_at):
    ticket = services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(serial))
    )
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created_at)
    ticket.refresh_from_db()
    return ticket


def push(ticket, sent_at):
    return services.mark_pushed(ticket=ticket, accepted_at=sent_at, sla_due_at=sent_at + 24 * H)


def resolve(ticket, resolved_at):
    services.mark_verified(ticket=ticket)
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=resolved_at)


@pytest.fixture
def known(office, clerk):
    """Five tickets whose figures are computed by hand in the tests below."""
    base = NOW - 60 * H
    one = push(open_ticket(office, clerk, 1, base), base + dt.timedelta(minutes=10))
    resolve(one, base + dt.timedelta(minutes=10) + 24 * H)  # exactly at the SLA: within
    two = push(open_ticket(office, clerk, 2, base + H), base + H)
    resolve(two, base + H + 24 * H + dt.timedelta(minutes=1))  # one minute late
    push(open_ticket(office, clerk, 3, NOW - 20 * H), NOW - 20 * H)  # still waiting
    four = push(open_ticket(office, clerk, 4, NOW - 10 * H), NOW - 10 * H)
    services.reject_ticket(ticket=four, actor=None, reason="Pusat menolak: data ganda")
    open_ticket(office, clerk, 5, NOW - H)  # new
    return Period.last_days(7)


def test_the_headline_figures_match_the_hand_computed_ones(office, known):
    figures = selectors.headline(office, known)
    assert figures["opened"] == 5 and figures["resolved"] == 2
    assert (figures["sla_within"], figures["sla_total"], figures["sla_percent"]) == (1, 2, 50.0)
    # From intake: 24h10m and 24h01m -> median 24h05m30s, p90 24h01m + 0.9 * 9m.
    assert figures["median_to_resolve"] == 24 * H + dt.timedelta(minutes=5, seconds=30)
    assert figures["p90_to_resolve"] == 24 * H + dt.timedelta(minutes=1) + dt.timedelta(minutes=8.1)
    assert figures["open_by_status"] == {
        "new": 1,
        "sent": 1,
        "action_needed": 0,
        "escalated": 0,
        "centre_applied": 0,
    }
    assert figures["registry_rejections"] == 1


def test_breakdowns_and_the_distribution_count_each_ticket_once(office, known):
    assert dict(selectors.breakdown(office, known)["category"])["KK baru belum terkonsolidasi"] == 5
    assert dict(selectors.resolve_distribution(office, known)) == {
        "< 6 jam": 0,
        "6–12 jam": 0,
        "12–24 jam": 0,
        "24–48 jam": 2,
        "> 48 jam": 0,
    }
    flow = selectors.daily_flow(office, known)
    assert sum(flow["opened"]) == 5 and sum(flow["resolved"]) == 2


def test_workload_counts_open_and_new_tickets_per_clerk(office, known, clerk):
    assert selectors.workload(office, known) == [{"name": "Sri", "open": 2, "opened": 5}]


def test_status_history_reads_snapshots_and_counts_today_live(office, known):
    snapshot_status_counts()
    history = selectors.status_history(office, known)
    assert history["series"]["sent"][-1] == 1 and history["series"]["new"][-1] == 1
    assert len(history["labels"]) == 7


def test_status_history_counts_today_from_the_headlines_open_tickets_when_given(office, known):
    open_now = selectors.headline(office, known)["open_by_status"]
    with CaptureQueriesContext(connection) as captured:
        history = selectors.status_history(office, known, live=open_now)
    assert history == selectors.status_history(office, known)
    assert len(captured) == 1  # the snapshots only: today's counts came with the headline


def test_other_offices_tickets_never_count(office, known, other_office, other_clerk):
    open_ticket(other_office, other_clerk, 9, NOW - H)
    assert selectors.headline(office, known)["opened"] == 5


def test_counter_staff_are_refused(clerk_client):
    assert clerk_client.get(URL).status_code == 403
    assert clerk_client.get(reverse("dashboard:chart_csv", args=["harian"])).status_code == 403


def test_the_page_shows_the_figures_and_the_chart_data(supervisor_client, known):
    response = supervisor_client.get(URL, {"period": "7"})
    html = response.content.decode()
    assert 'id="fig-sla">50,0%' in html or 'id="fig-sla">50.0%' in html
    assert 'id="dashboard-data"' in html and "chart.umd.min.js" in html


def test_a_bad_custom_period_gets_a_field_error_not_a_500(supervisor_client):
    response = supervisor_client.get(URL, {"period": "custom", "start": "2026-11-29", "end": "2026-11-01"})
    assert response.status_code == 200
    assert "Tanggal akhir tidak boleh sebelum tanggal awal." in response.content.decode()
    response = supervisor_client.get(URL, {"period": "custom", "start": "x", "end": ""})
    assert response.status_code == 200


def test_each_chart_downloads_as_csv(supervisor_client, known):
    response = supervisor_client.get(reverse("dashboard:chart_csv", args=["harian"]), {"period": "7"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "\ufefftanggal,masuk,selesai" and len(lines) == 8
    assert supervisor_client.get(reverse("dashboard:chart_csv", args=["unknown"])).status_code == 404


def test_the_dashboard_runs_a_constant_number_of_queries(supervisor_client, office, clerk):
    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert supervisor_client.get(URL).status_code == 200
        return len(captured)

    for serial in range(1, 4):
        push(open_ticket(office, clerk, serial, NOW - 3 * H), NOW - 2 * H)
    few = queries()
    for serial in range(10, 40):
        resolve(push(open_ticket(office, clerk, serial, NOW - 30 * H), NOW - 29 * H), NOW - H)
    assert queries() == few


def test_a_chart_csv_goes_through_the_safe_writer_formulas_defused(supervisor_client, office):
    from tests.cast import make_staff
    from tickets.permissions import COUNTER_GROUP

    formula = make_staff("rumus", office, COUNTER_GROUP, first_name="=HYPERLINK(1)")
    ticket = open_ticket(office, formula, 1, NOW - H)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=formula)
    response = supervisor_client.get(reverse("dashboard:chart_csv", args=["beban-petugas"]))
    lines = response.content.decode().splitlines()
    assert lines[0] == "\ufeffpetugas,terbuka,masuk" and "'=HYPERLINK(1),1,1" in lines


def test_a_chart_csv_comes_with_semicolons_for_excel_indonesia(supervisor_client, known):
    url = reverse("dashboard:chart_csv", args=["harian"])
    lines = supervisor_client.get(url, {"period": "7", "pemisah": "semicolon"}).content.decode().splitlines()
    assert lines[0] == "\ufefftanggal;masuk;selesai" and len(lines) == 8
    unknown = supervisor_client.get(url, {"pemisah": "tab"}).content.decode().splitlines()
    assert unknown[0] == "\ufefftanggal,masuk,selesai"


@pytest.fixture
def recorded_latencies(office, clerk):
    """Ten pushes in the last hour (100, 200, ... 1000 ms) and one slow call two days ago."""
    from sync.models import SyncAttempt, SyncJob

    job = SyncJob.objects.get(ticket=open_ticket(office, clerk, 1, NOW - H))
    for n in range(1, 11):
        SyncAttempt.objects.create(
            job=job, operation="push", outcome="accepted", latency_ms=100 * n, created_at=NOW - n * 60 * S
        )
    SyncAttempt.objects.create(job=job, operation="push", outcome="retry", latency_ms=None, created_at=NOW)
    SyncAttempt.objects.create(
        job=job, operation="push", outcome="accepted", latency_ms=99_000, created_at=NOW - 48 * H
    )
    return SyncAttempt.objects.filter(created_at__gte=NOW - 24 * H)


S = dt.timedelta(seconds=1)


def test_registry_p50_and_p95_come_from_the_recorded_latencies_of_the_window(office, recorded_latencies):
    health = selectors.registry_health(office, now=NOW)
    assert (health["hour"]["push"]["p50"], health["hour"]["push"]["p95"]) == (550, 955)
    assert (health["day"]["push"]["total"], health["day"]["push"]["p95"]) == (11, 955)


def test_the_demos_sqlite_fallback_gives_the_same_percentiles_as_postgresql(recorded_latencies):
    for limit in (10_000, 5):
        database = selectors.latency_percentiles(recorded_latencies, limit)
        sampled = selectors.sampled_latency_percentiles(recorded_latencies, limit)
        assert sampled == database
    assert selectors.sampled_latency_percentiles(recorded_latencies.none()) == {}


def test_latency_percentiles_read_only_the_newest_calls_of_the_window(recorded_latencies):
    assert selectors.latency_percentiles(recorded_latencies, limit=5) == {"push": {"p50": 300, "p95": 480}}


def test_the_dashboard_shows_registry_p50_and_p95_per_operation_in_words(
    supervisor_client, recorded_latencies
):
    html = supervisor_client.get(URL).content.decode()
    table = html[html.index('id="registry-health"') :]
    assert "<td>Kirim</td>" in table and "<td>push</td>" not in table
    assert 'class="registry-p50">550<' in table and 'class="registry-p95">955<' in table


def test_the_figures_from_one_count_of_the_period_are_those_each_counts_alone(office, known):
    counts = selectors.period_counts(office, known)
    assert sum(counts.opened.values()) == 5
    assert counts.resolved_total("resolved") == 2 and counts.resolved_total("sla_within") == 1
    assert selectors.headline(office, known, counts) == selectors.headline(office, known)
    assert selectors.daily_flow(office, known, counts) == selectors.daily_flow(office, known)
    assert selectors.breakdown(office, known, counts) == selectors.breakdown(office, known)
    assert selectors.resolve_distribution(office, known, counts) == selectors.resolve_distribution(
        office, known
    )


def test_a_ticket_opened_and_resolved_across_a_wib_midnight_counts_on_each_of_its_days(office, clerk):
    today = timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))  # 00:00 WIB today
    ticket = push(
        open_ticket(office, clerk, 9, midnight - dt.timedelta(minutes=5)), midnight - dt.timedelta(minutes=4)
    )
    resolve(ticket, midnight + dt.timedelta(minutes=5))
    flow = selectors.daily_flow(office, Period.last_days(2))
    assert flow["opened"] == [1, 0] and flow["resolved"] == [0, 1]
