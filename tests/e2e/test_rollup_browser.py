"""The roll-up in a real browser: the provincial supervisor sorts the offices and opens one's
dashboard read-only."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.cast import complaint, make_staff, nik_with_serial
from tickets import services
from tickets.models import Office, Ticket
from tickets.permissions import COUNTER_GROUP, PROVINCE_GROUP

pytestmark = pytest.mark.e2e


@pytest.fixture
def central_java(transactional_db):
    """Kudus with two open tickets, one past its SLA; Pati with one new; their provincial supervisor."""
    kudus = Office.objects.create(code="3319", name="Disdukcapil Kabupaten Kudus", region_code="33.19")
    pati = Office.objects.create(code="3318", name="Disdukcapil Kabupaten Pati", region_code="33.18")
    province = Office.objects.create(
        code="33", name="Disdukcapil Provinsi Jawa Tengah", region_code="33", level=Office.Level.PROVINCE
    )
    make_staff("provinsi", province, PROVINCE_GROUP, first_name="Endang")
    now = timezone.now()
    for serial, (office, sent_hours_ago) in enumerate([(kudus, 30), (kudus, None), (pati, None)], start=1):
        clerk = make_staff(f"petugas{serial}", office, COUNTER_GROUP)
        ticket = services.open_ticket(
            office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(serial))
        )
        if sent_hours_ago:
            sent = now - dt.timedelta(hours=sent_hours_ago)
            # Filed at the counter then: its 1x24 jam (due_at) counts from there.
            Ticket.objects.filter(pk=ticket.pk).update(created_at=sent, due_at=sent + dt.timedelta(hours=24))
            services.mark_pushed(ticket=ticket, accepted_at=sent, sla_due_at=sent + dt.timedelta(hours=24))
    assert Ticket.objects.count() == 3


def test_the_provincial_supervisor_sorts_the_roll_up_and_drills_down(
    page, live_server, log_in, central_java, shot
):
    log_in("provinsi")
    page.get_by_role("button", name="Supervisor").click()
    page.get_by_role("link", name="Rekap wilayah").click()
    expect(page.get_by_role("heading", name="Rekap wilayah")).to_be_visible()
    rows = page.locator("#rollup-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Kabupaten Kudus")  # by name: Kudus before Pati
    shot("01-rollup")

    page.get_by_role("link", name="Lewat SLA").click()  # most overdue first
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Lewat SLA")
    expect(rows.nth(0).locator("[data-col=overdue]")).to_have_text("1")
    page.get_by_role("link", name="Lewat SLA").click()  # and back: fewest first
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Lewat SLA")
    expect(rows.nth(0)).to_contain_text("Kabupaten Pati")

    page.get_by_role("link", name="Disdukcapil Kabupaten Kudus").click()
    expect(page.get_by_role("heading", name="Dasbor · Disdukcapil Kabupaten Kudus")).to_be_visible()
    expect(page.locator("#read-only-note")).to_contain_text("Tampilan baca-saja")
    expect(page.get_by_role("link", name="Buat Pengaduan")).to_have_count(0)
    shot("02-drill-down")
