"""The roll-up (/wilayah/): the office dashboard's figures per office, side by side."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.scoping import scope_of
from desk.selectors.dashboard import Period
from offices import selectors
from tests.cast import complaint, make_staff, nik_with_serial
from tests.security.conftest import logged_in
from tickets import services
from tickets.models import Office, Ticket
from tickets.permissions import COUNTER_GROUP

pytestmark = pytest.mark.django_db
URL = reverse("offices:rollup")
NOW = timezone.now()
H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def no_cache():
    cache.clear()


class Desk:
    """Opens tickets at one office and moves them through their lives at chosen times."""

    serial = 0

    def __init__(self, office):
        self.office = office
        self.clerk = make_staff(f"petugas{office.code}", office, COUNTER_GROUP)

    def open(self, created_at):
        Desk.serial += 1
        ticket = services.open_ticket(
            office=self.office, created_by=self.clerk, complaint=complaint(nik=nik_with_serial(Desk.serial))
        )
        # Filed at the counter then: the 1x24 jam promise (due_at) counts from there.
        Ticket.objects.filter(pk=ticket.pk).update(created_at=created_at, due_at=created_at + 24 * H)
        ticket.refresh_from_db()
        return ticket

    def sent(self, created_at, sent_at):
        return services.mark_pushed(
            ticket=self.open(created_at), accepted_at=sent_at, sla_due_at=sent_at + 24 * H
        )

    def resolved(self, sent_at, took):
        ticket = services.mark_verified(ticket=self.sent(sent_at, sent_at))
        Ticket.objects.filter(pk=ticket.pk).update(resolved_at=sent_at + took)


@pytest.fixture
def province(office, pati_office, surabaya_office):
    """Kudus: two resolved (one within the SLA), one overdue, one escalated, one rejected by the
    centre. Pati: one resolved within the SLA, one new. Surabaya (East Java): one new."""
    kudus, pati = Desk(office), Desk(pati_office)
    kudus.resolved(NOW - 50 * H, 20 * H)
    kudus.resolved(NOW - 50 * H, 30 * H)
    kudus.sent(NOW - 30 * H, NOW - 30 * H)  # past its SLA, not escalated yet
    services.escalate_ticket(ticket=kudus.sent(NOW - 40 * H, NOW - 40 * H), actor=None, reason="SLA lewat")
    services.reject_ticket(ticket=kudus.sent(NOW - 5 * H, NOW - 5 * H), actor=None, reason="Pusat menolak")
    pati.resolved(NOW - 10 * H, 2 * H)
    pati.open(NOW - H)
    Desk(surabaya_office).open(NOW - H)
    return Period.last_days(7)


def rows_by_code(rows):
    return {row.code: row for row in rows}


def test_each_office_gets_the_figures_of_its_own_dashboard(province, province_supervisor):
    rows = rows_by_code(selectors.rollup(selectors.offices_shown(scope_of(province_supervisor)), province))
    assert set(rows) == {"3319", "3318"}
    kudus, pati = rows["3319"].counts, rows["3318"].counts
    assert (kudus["opened"], kudus["resolved"], kudus["open"], kudus["overdue"]) == (5, 2, 2, 2)
    assert (kudus["escalated"], kudus["rejections"], kudus["sla_within"], kudus["sla_total"]) == (1, 1, 1, 2)
    assert rows["3319"].sla_percent == 50.0 and rows["3319"].median_to_resolve == 25 * H
    assert (pati["opened"], pati["open"], pati["overdue"], pati["rejections"]) == (2, 1, 0, 0)
    assert rows["3318"].sla_percent == 100.0 and rows["3318"].median_to_resolve == 2 * H


def test_the_total_sums_the_offices_and_takes_the_median_over_them_all(province, province_supervisor):
    offices = selectors.offices_shown(scope_of(province_supervisor))
    total = selectors.total(selectors.rollup(offices, province), offices, province)
    assert (total.counts["opened"], total.counts["open"], total.sla_percent) == (7, 3, 66.7)
    assert total.median_to_resolve == 20 * H


def test_the_query_count_does_not_grow_with_the_offices(province, national_reader):
    def queries(offices):
        with CaptureQueriesContext(connection) as captured:
            selectors.rollup(offices, province)
        return len(captured)

    few = queries(Office.objects.filter(code__in=["3319", "3318"]))
    for n in range(20):
        Office.objects.create(code=f"34{n:02d}", name=f"Kabupaten {n}", region_code=f"34.{n:02d}")
    assert queries(selectors.offices_shown(scope_of(national_reader))) == few


def test_the_page_sorts_by_a_column_and_links_each_office_to_its_dashboard(province, province_supervisor):
    html = logged_in(province_supervisor).get(URL, {"urut": "overdue", "arah": "turun"}).content.decode()
    assert html.index("Kabupaten Kudus") < html.index("Kabupaten Pati")
    assert 'aria-sort="descending"' in html and "Kota Surabaya" not in html
    assert reverse("dashboard:index") + "?kantor=3318" in html
    html = logged_in(province_supervisor).get(URL, {"urut": "overdue", "arah": "naik"}).content.decode()
    assert html.index("Kabupaten Pati") < html.index("Kabupaten Kudus")


def test_a_sort_or_province_it_does_not_know_falls_back_without_an_error(province, province_supervisor):
    response = logged_in(province_supervisor).get(URL, {"urut": "rahasia", "provinsi": "35", "period": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kota Surabaya" not in html and "Kabupaten Kudus" in html and "alert-danger" in html


def test_the_national_role_sees_every_province_and_can_pick_one(province, national_reader):
    client = logged_in(national_reader)
    assert "Kota Surabaya" in client.get(URL).content.decode()
    Office.objects.create(code="35", name="Disdukcapil Provinsi Jawa Timur", region_code="35", level=1)
    html = client.get(URL, {"provinsi": "35"}).content.decode()
    assert "Kota Surabaya" in html and "Kabupaten Kudus" not in html


def test_the_csv_holds_one_line_per_office_and_the_total(province, province_supervisor):
    response = logged_in(province_supervisor).get(reverse("offices:rollup_csv"), {"pemisah": "semicolon"})
    lines = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert response["Content-Disposition"].startswith('attachment; filename="sinkron-rekap-33-')
    assert lines[0][:3] == ["kode_kantor", "kantor", "masuk"]
    assert [line[0] for line in lines[1:]] == ["3318", "3319", ""]
    assert lines[-1][1] == "Jumlah" and lines[-1][2] == "7" and lines[2][-1] == "25.0"


def test_an_office_supervisor_has_no_roll_up(supervisor_client):
    response = supervisor_client.get(URL)
    assert response.status_code == 403 and "Rekap wilayah hanya untuk" in response.content.decode()


def test_the_provincial_supervisor_opens_a_regencys_dashboard_read_only(province, province_supervisor):
    client = logged_in(province_supervisor)
    assert client.get(reverse("dashboard:index")).url == URL
    response = client.get(reverse("dashboard:index"), {"kantor": "3318"})
    html = response.content.decode()
    assert response.status_code == 200 and "Kabupaten Pati" in html and 'id="read-only-note"' in html
    assert client.get(reverse("dashboard:index"), {"kantor": "3578"}).status_code == 404
