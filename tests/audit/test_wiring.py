"""Every act on personal data writes its audit entry, and no entry ever holds a full NIK or KK."""

from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from citizens.models import PersonalDataAccess
from citizens.services import correct_citizen
from tests.audit.helpers import SIXTEEN_DIGITS, audit_table_text, verify
from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tickets import services

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2000-01-01", "end": "2000-12-31"}


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


@pytest.fixture
def trusted_supervisor(supervisor):
    supervisor.user_permissions.add(Permission.objects.get(codename="export_full_nik"))
    return supervisor


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def only_entry(**filters) -> AuditEntry:
    [entry] = AuditEntry.objects.filter(**filters)
    return entry


def test_revealing_the_nik_on_a_ticket_page_is_audited_against_the_ticket(clerk_client, clerk, ticket):
    response = clerk_client.post(reverse("tickets:reveal_nik", args=[ticket.code]), REMOTE_ADDR="10.1.2.3")
    assert NIK in response.content.decode()
    entry = only_entry(action="view_full_nik")
    assert (entry.actor, entry.object_type, entry.object_id, entry.office, entry.ip) == (
        clerk,
        "ticket",
        ticket.code,
        "3319",
        "10.1.2.3",
    )
    assert entry.details == {"purpose": f"ticket {ticket.code}", "citizen_id": ticket.citizen_id}
    assert PersonalDataAccess.objects.count() == 1  # the subject's own access list is still written


def test_the_full_escalation_message_is_audited(supervisor_client, supervisor, ticket):
    supervisor_client.post(reverse("escalation:message", args=[ticket.code]), REMOTE_ADDR="10.9.9.9")
    entry = only_entry(action="escalation_message")
    assert (entry.actor, entry.object_id, entry.ip) == (supervisor, ticket.code, "10.9.9.9")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_full_nik_export_is_audited_with_its_filter_and_row_count(trusted_supervisor, ticket, fmt):
    ticket.__class__.objects.filter(pk=ticket.pk).update(created_at="2000-06-01T10:00:00+07:00")
    response = client_for(trusted_supervisor).post(
        reverse(f"reports:{fmt}"), {**PERIOD, "full_nik": "on"}, REMOTE_ADDR="10.4.4.4"
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body
    entry = only_entry(action="export")
    assert (entry.actor, entry.object_type, entry.object_id, entry.office, entry.ip) == (
        trusted_supervisor,
        "report",
        "2000-01-01/2000-12-31",
        "3319",
        "10.4.4.4",
    )
    assert entry.details["rows"] == 1 and entry.details["format"] == fmt and entry.details["complete"] is True


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_masked_export_is_audited_as_masked_and_listed_on_the_audit_page(trusted_supervisor, ticket, fmt):
    ticket.__class__.objects.filter(pk=ticket.pk).update(created_at="2000-06-01T10:00:00+07:00")
    client = client_for(trusted_supervisor)
    response = client.post(reverse(f"reports:{fmt}"), {**PERIOD, "status": "new", "separator": "semicolon"})
    b"".join(response.streaming_content) if response.streaming else response.content
    entry = only_entry(action="export")
    assert (entry.actor, entry.object_id, entry.details["full_nik"], entry.details["nik"]) == (
        trusted_supervisor,
        "2000-01-01/2000-12-31",
        False,
        "disamarkan",
    )
    assert entry.details["rows"] == 1 and entry.details["filter"]["status"] == "new"
    assert entry.details["format"] == fmt and entry.details["report"] == "tiket"
    html = client.get(reverse("audit:entries")).content.decode()
    assert "Ekspor data" in html and "disamarkan" in html and "2000-01-01/2000-12-31" in html


def test_the_audit_page_tells_a_full_nik_download_from_a_masked_one(trusted_supervisor, ticket):
    client = client_for(trusted_supervisor)
    client.post(reverse("reports:xlsx"), PERIOD)
    client.post(reverse("reports:xlsx"), {**PERIOD, "full_nik": "on"})
    page = unescape(client.get(reverse("audit:entries")).content.decode())
    assert page.count("Ekspor data") == 2
    assert '"nik": "disamarkan"' in page and '"nik": "lengkap"' in page


def test_a_correction_is_audited_by_field_name_only(supervisor, ticket):
    correct_citizen(
        citizen=ticket.citizen,
        actor=supervisor,
        changes={"full_name": "Siti Rahayu Ningsih"},
        reason="Sesuai akta kelahiran.",
    )
    entry = only_entry(action="correction")
    assert (entry.actor, entry.object_type, entry.object_id, entry.actor_office) == (
        supervisor,
        "citizen",
        str(ticket.citizen_id),
        "3319",
    )
    assert entry.details["fields"] == ["full_name"] and "Siti" not in str(entry.details)


def test_a_correction_that_changes_nothing_writes_no_entry(supervisor, ticket):
    correct_citizen(
        citizen=ticket.citizen, actor=supervisor, changes={"full_name": "Siti Rahayu"}, reason="-"
    )
    assert not AuditEntry.objects.exists()


def test_the_subject_page_and_its_json_export_are_audited(supervisor_client, ticket):
    supervisor_client.get(reverse("subject_access:detail", args=[ticket.citizen_id]))
    supervisor_client.post(reverse("subject_access:export_json", args=[ticket.citizen_id]))
    entries = AuditEntry.objects.order_by("sequence").values_list("action", "object_type", "details__purpose")
    assert list(entries) == [
        ("subject_access", "citizen", "akses subjek"),
        ("export", "citizen", "ekspor subjek"),
    ]


def test_after_every_kind_of_access_no_audit_row_holds_a_full_number(
    clerk_client, supervisor_client, trusted_supervisor, ticket
):
    clerk_client.post(reverse("tickets:reveal_nik", args=[ticket.code]))
    supervisor_client.post(reverse("escalation:message", args=[ticket.code]))
    trusted = client_for(trusted_supervisor)
    b"".join(trusted.post(reverse("reports:csv"), {**PERIOD, "full_nik": "on"}).streaming_content)
    trusted.post(reverse("reports:xlsx"), {**PERIOD, "full_nik": "on"})
    trusted.post(
        reverse("subject_access:detail", args=[ticket.citizen_id]),
        {
            "full_name": "Siti Rahayu",
            "birth_date": "1990-01-01",
            "sex": "P",
            "phone": "0812-3456-7890",
            "email": "siti@example.org",
            "reason": f"NIK {NIK} dicek ulang",
        },
    )
    trusted.get(reverse("subject_access:detail", args=[ticket.citizen_id]))
    trusted.post(reverse("subject_access:export_json", args=[ticket.citizen_id]))
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert actions == {"view_full_nik", "escalation_message", "export", "correction", "subject_access"}
    text = audit_table_text()
    for number in (NIK, KK_NEW, KK_OLD):
        assert number not in text
    assert not SIXTEEN_DIGITS.search(text)
    assert "intact" in verify()
