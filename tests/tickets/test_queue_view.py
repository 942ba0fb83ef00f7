import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cast import NIK, complaint, nik_with_serial
from tickets import selectors, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = reverse("tickets:queue")


def open_many(office, clerk, count, start=1, **overrides):
    return [
        services.open_ticket(
            office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(n), **overrides)
        )
        for n in range(start, start + count)
    ]


def listed_codes(response):
    return [ticket.code for ticket in response.context["page"]]


def test_the_queue_shows_nik_masked_to_the_last_four_digits(clerk_client, office, clerk):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    html = clerk_client.get(URL).content.decode()
    assert ticket.display_code in html
    assert "************0001" in html
    assert NIK not in html and NIK[:6] + "******" not in html


def test_the_queue_lists_only_the_users_office(clerk_client, office, clerk, other_office, other_clerk):
    mine = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    services.open_ticket(
        office=other_office, created_by=other_clerk, complaint=complaint(nik=nik_with_serial(2))
    )
    assert listed_codes(clerk_client.get(URL)) == [mine.code]


def test_searching_by_full_nik_finds_the_ticket_by_post_only(clerk_client, office, clerk):
    target, *_rest = open_many(office, clerk, 3)
    response = clerk_client.post(URL, {"q": "3319-0141-0190-0001"})
    assert listed_codes(response) == [target.code]
    assert NIK not in response.content.decode()  # the search box does not echo the NIK back
    assert "************0001" in response.content.decode()


def test_searching_by_code_accepts_lowercase_and_a_dash(clerk_client, office, clerk):
    target = open_many(office, clerk, 2)[1]
    response = clerk_client.post(URL, {"q": target.display_code.lower()})
    assert listed_codes(response) == [target.code]


def test_a_search_that_is_neither_a_code_nor_a_nik_finds_nothing(clerk_client, office, clerk):
    open_many(office, clerk, 2)
    assert listed_codes(clerk_client.post(URL, {"q": "0000"})) == []


def test_a_nik_never_reaches_the_url_because_search_is_post(clerk_client):
    html = clerk_client.get(URL).content.decode()
    assert f'method="post" action="{URL}" class="row g-2 mb-2" role="search"' in html


def test_filters_narrow_the_queue(clerk_client, office, clerk, supervisor):
    bpjs = open_many(office, clerk, 2, service="bpjs")
    sscasn = open_many(office, clerk, 2, start=10)
    services.close_ticket(ticket=sscasn[0], actor=supervisor, reason="Duplikat.")
    assert set(listed_codes(clerk_client.get(URL, {"service": "bpjs"}))) == {t.code for t in bpjs}
    assert listed_codes(clerk_client.get(URL, {"status": "closed"})) == [sscasn[0].code]


def test_mine_shows_only_tickets_assigned_to_me(clerk_client, office, clerk, supervisor):
    mine = open_many(office, clerk, 1)[0]
    theirs = open_many(office, supervisor, 1, start=5)[0]
    codes = listed_codes(clerk_client.get(URL, {"mine": "on"}))
    assert mine.code in codes and theirs.code not in codes


def test_overdue_and_urgent_put_the_oldest_deadline_first(clerk_client, office, clerk):
    late, later, fresh = open_many(office, clerk, 3)
    now = timezone.now()
    Ticket.objects.filter(pk=late.pk).update(due_at=now - dt.timedelta(hours=5))
    Ticket.objects.filter(pk=later.pk).update(due_at=now - dt.timedelta(hours=1))
    assert listed_codes(clerk_client.get(URL, {"overdue": "on"})) == [late.code, later.code]
    assert listed_codes(clerk_client.get(URL, {"sort": "urgent"}))[:3] == [late.code, later.code, fresh.code]


def test_a_malformed_filter_is_ignored_not_a_server_error(clerk_client, office, clerk):
    open_many(office, clerk, 1)
    response = clerk_client.get(URL, {"status": "nonsense", "page": "abc"})
    assert response.status_code == 200


def test_the_queue_is_paginated(clerk_client, office, clerk, settings):
    settings.TICKETS_PER_PAGE = 5
    open_many(office, clerk, 12)
    first = clerk_client.get(URL)
    third = clerk_client.get(URL, {"page": 3})
    assert len(listed_codes(first)) == 5 and len(listed_codes(third)) == 2
    assert first.context["paginator"].count == 12


def test_the_queue_runs_the_same_number_of_queries_for_5_or_40_rows(clerk_client, office, clerk, settings):
    settings.TICKETS_PER_PAGE = 50

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert clerk_client.get(URL).status_code == 200
        return len(captured)

    open_many(office, clerk, 5)
    few = queries_for_page()
    open_many(office, clerk, 35, start=100)
    assert queries_for_page() == few


def test_a_queue_row_whose_ticket_is_gone_between_the_two_reads_is_left_out(office, clerk):
    first, second = open_many(office, clerk, 2)
    rows = selectors.queue_rows([second.pk, 10**12, first.pk])
    assert [t.code for t in rows] == [second.code, first.code]
    assert rows[0].citizen.full_name and rows[0].citizen.masked_nik.endswith(rows[0].citizen.nik_last4)
