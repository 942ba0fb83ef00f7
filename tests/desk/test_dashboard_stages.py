"""The dashboard's two stages: open tickets by where the centre stands, and how the portals
followed the centre in the period (counts, and median/p90 from centre-applied to portal-visible)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from desk.selectors import dashboard as selectors
from desk.selectors import stages
from desk.selectors.dashboard import Period
from tests.desk.test_dashboard import NOW, open_ticket, push
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:index")
H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def no_cache():
    cache.clear()


def through_the_portal(ticket, *, applied_at, seen_at=None, window_passed_at=None):
    """Move a sent ticket to centre-applied and, if given, on to its end, at the given times."""
    services.mark_centre_applied(ticket=ticket)
    Ticket.objects.filter(pk=ticket.pk).update(centre_applied_at=applied_at)
    if seen_at:
        services.mark_portal_seen(ticket=ticket)
        Ticket.objects.filter(pk=ticket.pk).update(portal_seen_at=seen_at, resolved_at=seen_at)
    if window_passed_at:
        services.mark_portal_window_passed(ticket=ticket)
        Ticket.objects.filter(pk=ticket.pk).update(portal_window_passed_at=window_passed_at)


@pytest.fixture
def staged(office, clerk):
    """Tickets at each stage; the portal lags are 2 h, 4 h and 12 h."""
    open_ticket(office, clerk, 1, NOW - H)  # not accepted yet
    push(open_ticket(office, clerk, 2, NOW - 5 * H), NOW - 5 * H)  # accepted, not applied
    escalated = push(open_ticket(office, clerk, 3, NOW - 30 * H), NOW - 30 * H)
    services.escalate_ticket(ticket=escalated, actor=None, reason="Lewat 1x24 jam")
    for serial, lag in ((4, 2), (5, 4), (6, 12)):
        ticket = push(open_ticket(office, clerk, serial, NOW - 40 * H), NOW - 40 * H)
        through_the_portal(ticket, applied_at=NOW - 30 * H, seen_at=NOW - 30 * H + lag * H)
    waiting = push(open_ticket(office, clerk, 7, NOW - 20 * H), NOW - 20 * H)
    through_the_portal(waiting, applied_at=NOW - 10 * H)
    lapsed = push(open_ticket(office, clerk, 8, NOW - 100 * H), NOW - 100 * H)
    through_the_portal(lapsed, applied_at=NOW - 90 * H, window_passed_at=NOW - 18 * H)
    return Period.last_days(7)


def test_open_tickets_are_counted_by_where_the_centre_stands(office, staged):
    open_by_status = selectors.headline(office, staged)["open_by_status"]
    assert stages.centre_states(open_by_status) == [
        ("awaiting_acceptance", 1),
        ("accepted", 2),  # one of them escalated
        ("action_needed", 0),
        ("centre_applied", 1),
    ]


def test_the_portal_stage_counts_and_times_the_period(office, staged):
    open_by_status = selectors.headline(office, staged)["open_by_status"]
    figures = stages.portal_stage(office, staged, open_by_status)
    assert (figures["waiting"], figures["seen"], figures["window_passed"]) == (1, 3, 1)
    assert figures["median_to_portal"] == 4 * H
    assert figures["p90_to_portal"] == 4 * H + 0.8 * 8 * H  # between 4 h and 12 h at rank 1.8


def test_another_office_and_another_period_do_not_count(office, staged, other_office, other_clerk):
    other = push(open_ticket(other_office, other_clerk, 9, NOW - 5 * H), NOW - 5 * H)
    through_the_portal(other, applied_at=NOW - 4 * H, seen_at=NOW - 3 * H)
    long_ago = Period.between(NOW.date() - dt.timedelta(days=60), NOW.date() - dt.timedelta(days=30))
    assert stages.portal_stage(office, long_ago, {})["seen"] == 0
    assert stages.portal_stage(office, staged, {})["seen"] == 3


def test_the_page_shows_both_tables_in_words(supervisor_client, staged):
    html = supervisor_client.get(URL).content.decode()
    assert 'id="centre-states"' in html and "Diterima pusat, data belum tampil" in html
    assert 'id="portal-stage"' in html and "Tampil di portal (periode)" in html
    assert 'id="fig-portal-lag"' in html


def test_the_stages_cost_the_same_queries_however_many_tickets_passed(supervisor_client, office, clerk):
    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert supervisor_client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    for serial in range(10, 30):
        ticket = push(open_ticket(office, clerk, serial, NOW - 30 * H), NOW - 29 * H)
        through_the_portal(ticket, applied_at=NOW - 20 * H, seen_at=NOW - 19 * H)
    assert queries() == few


def test_sla_compliance_judges_the_centres_stage_not_the_portals(office, clerk):
    ticket = push(open_ticket(office, clerk, 1, NOW - 60 * H), NOW - 60 * H)
    # The centre within 2 h of the push, the portal two days later.
    through_the_portal(ticket, applied_at=NOW - 58 * H, seen_at=NOW - 10 * H)
    figures = selectors.headline(office, Period.last_days(7))
    assert (figures["sla_within"], figures["sla_total"]) == (1, 1)
