"""Subject access includes the families data held about the person (privacy gaps of security round
two): the family groups their tickets are in and the KK import rows naming them, scoped to the
supervisor's office like the tickets."""

import json

import pytest
from django.urls import reverse

from citizens.models import kk_digest
from families.models import FamilyGroup, FamilyMember, ImportBatch, ImportRow, Relation
from tests.cast import KK_NEW, NIK, complaint
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("notifications.tasks.send_notification.apply_async", lambda *a, **k: None)
    monkeypatch.setattr("sync.tasks.nudge", lambda *args, **kwargs: None)


def _import(office, ticket, *, sha: str) -> ImportRow:
    batch = ImportBatch.objects.create(
        office=office, file_name=f"kk-{sha}.csv", file_sha256=sha * 64, file_format="csv"
    )
    group = FamilyGroup.objects.create(office=office, kk_number=KK_NEW, source="import", batch=batch)
    FamilyMember.objects.create(group=group, ticket=ticket, relation=Relation.WIFE)
    return ImportRow.objects.create(
        batch=batch,
        row_number=4,
        kk_digest=kk_digest(KK_NEW),
        nik_digest=ticket.citizen.nik_digest,
        nik_masked="************0001",
        payload_json=json.dumps({"nik": NIK, "kk_number": KK_NEW, "full_name": "Siti Rahayu"}),
        status=ImportRow.Status.LINKED,
        ticket=ticket,
    )


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def test_the_export_holds_the_family_groups_and_import_rows_about_the_person(
    supervisor_client, office, ticket
):
    _import(office, ticket, sha="a")
    data = json.loads(
        supervisor_client.post(reverse("subject_access:export_json", args=[ticket.citizen_id])).content
    )
    (group,) = data["family_groups"]
    assert (
        group["kk_number"] == KK_NEW
        and group["relation"] == "Istri"
        and group["ticket"] == ticket.display_code
    )
    (row,) = data["import_rows"]
    assert (row["file"], row["row"], row["data"]["nik"]) == ("kk-a.csv", 4, NIK)


def test_the_page_lists_the_family_data(supervisor_client, office, ticket):
    _import(office, ticket, sha="a")
    html = supervisor_client.get(reverse("subject_access:detail", args=[ticket.citizen_id])).content.decode()
    assert "impor kk-a.csv, baris 4" in html and "Istri" in html


def test_another_offices_family_data_stays_out_of_this_offices_record(
    supervisor_client, ticket, other_office, other_clerk
):
    theirs = services.open_ticket(
        office=other_office, created_by=other_clerk, complaint=complaint(category="name")
    )
    _import(other_office, theirs, sha="b")
    data = json.loads(
        supervisor_client.post(reverse("subject_access:export_json", args=[ticket.citizen_id])).content
    )
    assert data["family_groups"] == [] and data["import_rows"] == []
