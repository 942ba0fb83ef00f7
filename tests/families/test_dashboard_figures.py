import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from desk.selectors.dashboard import Period
from families import selectors, services, tasks
from families.models import FamilyGroup, ImportRow
from tests.cast import complaint
from tests.families.support import family_form, family_kk, person_nik, row, write_csv
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def resolve(ticket, at=None):
    ticket = ticket_services.mark_pushed(
        ticket=ticket, accepted_at=NOW, sla_due_at=NOW + dt.timedelta(hours=24)
    )
    ticket_services.mark_verified(ticket=ticket)
    if at is not None:
        Ticket.objects.filter(pk=ticket.pk).update(resolved_at=at)


@pytest.fixture
def imported(make_batch, tmp_path, office, clerk, supervisor):
    """Five imported citizens: A saved; B complained before resolution; C unresolved; D was linked; E
    resolved before the period."""
    d_open = ticket_services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(
            nik=person_nik(3), kk_number=family_kk(1), kk_number_old="", sex="L", category="nik_not_found"
        ),
    )
    path = write_csv(
        tmp_path / "kk.csv",
        [row(family_kk(0), person_nik(n), f"WARGA {n}") for n in range(3)]
        + [row(family_kk(1), person_nik(3), "WARGA 3"), row(family_kk(1), person_nik(4), "WARGA 4")],
    )
    batch = make_batch(path)
    tasks.validate_import(batch.pk)
    services.confirm_batch(batch=batch, actor=supervisor)
    tasks.run_import(batch.pk)
    proactive = {
        row.row_number: row.ticket for row in ImportRow.objects.filter(batch=batch).select_related("ticket")
    }
    a, b, _c, d, e = (proactive[n] for n in range(2, 7))
    assert d == d_open
    resolve(a)
    # B came to the desk about something else before the proactive ticket resolved.
    ticket_services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(
            nik=person_nik(1), kk_number=family_kk(0), kk_number_old="", sex="L", category="name"
        ),
    )
    resolve(b)
    resolve(d)
    resolve(e, at=NOW - dt.timedelta(days=30))
    return batch


def test_desk_visits_saved_counts_only_citizens_fixed_before_they_complained(imported, office):
    period = Period.last_days(7)
    assert selectors.desk_visits_saved(office, period) == 1
    assert selectors.desk_visits_saved(office, Period.last_days(60)) == 2  # E too, resolved 30 days ago


def test_family_figures_report_groups_batches_and_proactive_completion(imported, clerk_client, office):
    clerk_client.post(reverse("families:intake"), family_form())
    counter = FamilyGroup.objects.get(source="counter")
    members = [m.ticket for m in counter.members.order_by("position")]
    for ticket in members:
        resolve(ticket)
    figures = selectors.family_figures(office, Period.last_days(7))
    assert figures["groups"] == {"total": 1, "complete": 1, "members": 4, "resolved": 4, "percent": 100}
    assert figures["desk_visits_saved"] == 1
    [batch] = figures["batches"]
    assert (
        batch["id"] == imported.pk and batch["rows"] == 5 and batch["tickets"] == 5 and batch["resolved"] == 4
    )
    assert batch["percent"] == 80 and batch["status"] == "done" and batch["status_label"] == "Selesai"
    assert figures["proactive"] == {"batches": 1, "tickets": 5, "resolved": 4, "percent": 80}


def test_an_incomplete_group_is_not_counted_complete(clerk_client, office):
    clerk_client.post(reverse("families:intake"), family_form())
    resolve(FamilyGroup.objects.get().members.first().ticket)
    groups = selectors.family_figures(office, Period.last_days(7))["groups"]
    assert groups == {"total": 1, "complete": 0, "members": 4, "resolved": 1, "percent": 25}


def test_another_offices_figures_are_empty(imported, other_office):
    figures = selectors.family_figures(other_office, Period.last_days(7))
    assert figures["groups"]["total"] == 0 and figures["batches"] == [] and figures["desk_visits_saved"] == 0
    assert figures["proactive"] == {"batches": 0, "tickets": 0, "resolved": 0, "percent": None}


def test_the_panel_renders_the_figures(imported, office, rf, supervisor):
    figures = selectors.family_figures(office, Period.last_days(7))
    request = rf.get("/")
    request.user = supervisor
    html = render_to_string("families/includes/dashboard_panel.html", {"families": figures}, request=request)
    assert 'id="fig-desk-visits-saved">1<' in html and "kk.csv" in html
    assert reverse("families:import_batch", args=[imported.pk]) in html
