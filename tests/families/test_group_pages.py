import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from families.models import FamilyGroup
from tests.cast import KK_NEW, NIK, make_staff
from tests.families.support import DAUGHTER, HUSBAND, SON, family_form
from tickets import services
from tickets.permissions import COUNTER_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(clerk_client):
    clerk_client.post(reverse("families:intake"), family_form())
    return FamilyGroup.objects.get()


def resolve(ticket):
    now = timezone.now()
    ticket = services.mark_pushed(ticket=ticket, accepted_at=now, sla_due_at=now + dt.timedelta(hours=24))
    services.mark_verified(ticket=ticket)


def page(client, group, name="group"):
    response = client.get(reverse(f"families:{name}", args=[group.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_group_shows_each_member_masked_with_code_status_and_link(clerk_client, group):
    html = page(clerk_client, group)
    for member in group.members.select_related("ticket__citizen"):
        ticket = member.ticket
        assert ticket.display_code in html and reverse("tickets:detail", args=[ticket.code]) in html
        assert ticket.citizen.masked_nik in html and ticket.citizen.full_name in html
    assert all(number not in html for number in (NIK, HUSBAND["nik"], DAUGHTER["nik"], SON["nik"], KK_NEW))
    assert "Kepala Keluarga" in html and "Istri" in html and "Baru" in html


def test_progress_counts_resolved_members_and_polling_stops_when_the_last_one_resolves(clerk_client, group):
    tickets = [member.ticket for member in group.members.order_by("position")]
    html = page(clerk_client, group)
    assert "0 dari 4 anggota sudah sinkron" in html
    assert 'hx-trigger="every 10s"' in html and 'id="family-complete"' not in html

    for ticket in tickets[:3]:
        resolve(ticket)
    html = page(clerk_client, group, "group_progress")
    assert "3 dari 4 anggota sudah sinkron" in html and 'aria-valuenow="75"' in html
    assert 'hx-trigger="every 10s"' in html

    resolve(tickets[3])
    html = page(clerk_client, group)
    assert "4 dari 4 anggota sudah sinkron" in html and 'id="family-complete"' in html
    assert "hx-trigger" not in html.split('id="family-progress"')[1].split(">")[0]


def test_a_group_that_cannot_complete_stops_polling_and_says_why(clerk_client, clerk, group):
    tickets = [member.ticket for member in group.members.order_by("position")]
    for ticket in tickets[:3]:
        resolve(ticket)
    services.reject_ticket(ticket=tickets[3], actor=clerk, reason="Data tidak cocok dengan dokumen.")
    html = page(clerk_client, group, "group_progress")
    assert "3 dari 4 anggota sudah sinkron" in html and "hx-trigger" not in html
    assert "ditolak atau ditutup" in html


def test_the_family_slip_lists_every_code_and_masked_nik_and_a_qr_without_the_nik(clerk_client, group):
    html = page(clerk_client, group, "slip")
    for member in group.members.select_related("ticket__citizen"):
        assert member.ticket.display_code in html and member.ticket.citizen.masked_nik in html
    assert "1x24 jam" in html and "<svg" in html and "http://127.0.0.1:8000/cek-status/" in html
    assert all(number not in html for number in (NIK, HUSBAND["nik"], KK_NEW))
    assert "?kode=" not in html and "data-print" in html


@pytest.mark.parametrize("name", ["group", "group_progress", "slip"])
def test_staff_of_another_office_get_404(client, other_clerk, group, name):
    client.force_login(other_clerk)
    assert client.get(reverse(f"families:{name}", args=[group.pk])).status_code == 404


def test_a_linked_ticket_of_another_office_is_shown_but_not_linked(clerk_client, other_clerk, other_office):
    from tests.cast import complaint

    theirs = services.open_ticket(
        office=other_office,
        created_by=other_clerk,
        complaint=complaint(nik=HUSBAND["nik"], full_name="Budi Santoso", sex="L", category="nik_not_found"),
    )
    clerk_client.post(reverse("families:intake"), family_form())
    html = page(clerk_client, FamilyGroup.objects.get())
    assert theirs.display_code in html and "Disdukcapil Kota Semarang" in html
    assert reverse("tickets:detail", args=[theirs.code]) not in html


def test_a_staff_user_without_an_office_cannot_file_a_family(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("nooffice", password="x")
    user.groups.add(Group.objects.get(name=COUNTER_GROUP))
    client.force_login(user)
    assert client.post(reverse("families:intake"), family_form()).status_code == 403


def test_a_clerk_of_the_same_office_sees_a_colleagues_group(client, office, group):
    client.force_login(make_staff("petugas2", office, COUNTER_GROUP))
    assert client.get(reverse("families:group", args=[group.pk])).status_code == 200
