"""Retention covers every table that holds a citizen's personal data (privacy gaps of security round
two): the families tables are purged too, and a model added later with a personal-data column
fails here until the purge covers it."""

import json
import re

import pytest
from django.apps import apps
from django.db import models

from citizens.models import kk_digest, nik_digest
from desk import retention
from families.models import FamilyGroup, FamilyMember, ImportBatch, ImportRow, Relation
from tests.audit.test_retention import days_ago, kk, open_for, resolved
from tests.cast import nik_with_serial

pytestmark = pytest.mark.django_db

# Column names that suggest personal data. A match must be purged or declared not a citizen's.
PERSONAL_NAME = re.compile(
    r"nik|kk|phone|name|birth|payload|address|email|description|note|reason|message|recipient"
    r"|error|contact|ip_|^ip$|user_agent|session_data"
)


def _personal_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if PERSONAL_NAME.search(field.name):
                yield model._meta.label, field.name


def test_every_column_that_may_hold_personal_data_is_purged_or_declared_not_a_citizens():
    uncovered = [
        f"{label}.{name}"
        for label, name in _personal_columns()
        if name not in retention.PURGED_FIELDS.get(label, ())
        and label not in retention.NOT_CITIZEN_DATA
        and f"{label}.{name}" not in retention.NOT_CITIZEN_DATA
    ]
    assert uncovered == [], "add these to desk.retention.PURGED_FIELDS (and erase them)"


def test_the_registry_names_only_real_models_and_columns():
    for label, names in retention.PURGED_FIELDS.items():
        model = apps.get_model(label)
        assert set(names) <= {f.name for f in model._meta.concrete_fields}, label
    for key in retention.NOT_CITIZEN_DATA:
        app_label, model_name, *column = key.split(".")
        model = apps.get_model(app_label, model_name)
        assert set(column) <= {f.name for f in model._meta.concrete_fields}, key


def test_the_check_catches_a_new_model_with_a_personal_column(monkeypatch):
    class Guardian(models.Model):
        guardian_phone = models.CharField(max_length=20)

        class Meta:
            app_label = "families"

    try:
        labels = {f"{label}.{name}" for label, name in _personal_columns()}
        assert "families.Guardian.guardian_phone" in labels
        assert "Guardian" not in retention.PURGED_FIELDS
    finally:
        apps.all_models["families"].pop("guardian", None)
        apps.clear_cache()


@pytest.fixture
def families_desk(office, clerk):
    """Citizen 1 past retention with a family group and two import rows naming them; citizen 3
    recent; an old batch's error row about someone never served; a recent batch's error row."""
    old = resolved(open_for(office, clerk, 1), 400)
    recent = resolved(open_for(office, clerk, 3), 10)
    old_batch = ImportBatch.objects.create(
        office=office, file_name="lama.csv", file_sha256="a" * 64, file_format="csv", created_at=days_ago(420)
    )
    new_batch = ImportBatch.objects.create(
        office=office, file_name="baru.csv", file_sha256="b" * 64, file_format="csv", created_at=days_ago(5)
    )
    groups = {}
    for ticket, batch in ((old, old_batch), (recent, new_batch)):
        group = FamilyGroup.objects.create(
            office=office, kk_number=ticket.kk_number, source="import", batch=batch
        )
        FamilyMember.objects.create(group=group, ticket=ticket, relation=Relation.HEAD)
        groups[ticket.pk] = group
    row = {
        "nik": old.citizen.nik,
        "kk_number": old.kk_number,
        "full_name": "Siti Rahayu",
        "birth_date": "1990-01-01",
    }
    ImportRow.objects.create(
        batch=old_batch,
        row_number=2,
        kk_digest=kk_digest(old.kk_number),
        nik_digest=old.citizen.nik_digest,
        nik_masked="************0001",
        payload_json=json.dumps(row),
        status=ImportRow.Status.IMPORTED,
        ticket=old,
    )
    ImportRow.objects.create(  # the same person again in a later file, never imported
        batch=new_batch,
        row_number=7,
        kk_digest=kk_digest(old.kk_number),
        nik_digest=old.citizen.nik_digest,
        nik_masked="************0001",
        status=ImportRow.Status.ALREADY_IN_SYNC,
    )
    stranger = nik_with_serial(9)
    ImportRow.objects.create(
        batch=old_batch,
        row_number=3,
        kk_digest=kk_digest(kk(9)),
        nik_digest=nik_digest(stranger),
        nik_masked="************0009",
        status=ImportRow.Status.ERROR,
        errors="Tanggal lahir pada NIK tidak valid.",
    )
    fresh = ImportRow.objects.create(
        batch=new_batch,
        row_number=8,
        kk_digest=kk_digest(kk(8)),
        nik_digest=nik_digest(nik_with_serial(8)),
        nik_masked="************0008",
        status=ImportRow.Status.ERROR,
        errors="Kode provinsi tidak dikenal.",
    )
    empty_old_group = FamilyGroup.objects.create(
        office=office, kk_number=kk(7), source="counter", created_at=days_ago(400)
    )
    return {"old": old, "recent": recent, "groups": groups, "fresh": fresh, "empty_group": empty_old_group}


def _traces(values: list[str]) -> list[str]:
    """Every purgeable column of every table, as the app reads it, that still holds one of `values`."""
    found = []
    for label, names in retention.PURGED_FIELDS.items():
        for row in apps.get_model(label).objects.values_list("pk", *names):
            for name, value in zip(names, row[1:]):
                if any(v in str(value) for v in values):
                    found.append(f"{label}.{name}#{row[0]}")
    return found


def test_after_the_purge_no_table_holds_the_persons_nik_kk_digests_or_email(families_desk):
    old = families_desk["old"]
    person = [
        old.citizen.nik,
        old.citizen.nik_digest,
        old.kk_number,
        kk_digest(old.kk_number),
        "warga1@example.org",
    ]
    assert _traces(person), "the fixture holds the person's data before the purge"
    retention.purge_personal_data()
    assert _traces(person) == []


def test_the_import_rows_naming_a_purged_citizen_no_longer_match_their_nik(families_desk):
    old = families_desk["old"]
    digest = old.citizen.nik_digest
    retention.purge_personal_data()
    assert not ImportRow.objects.filter(nik_digest=digest).exists()
    assert set(ImportRow.objects.filter(row_number__in=(2, 7)).values_list("payload_json", "nik_masked")) == {
        ("", "")
    }


def test_a_family_group_goes_once_none_of_its_members_remains(families_desk):
    retention.purge_personal_data()
    old_group = FamilyGroup.objects.get(pk=families_desk["groups"][families_desk["old"].pk].pk)
    assert (old_group.kk_number, old_group.kk_last4) == ("", "")
    assert old_group.kk_digest.startswith(retention.PURGED_PREFIX)
    recent_group = FamilyGroup.objects.get(pk=families_desk["groups"][families_desk["recent"].pk].pk)
    assert recent_group.kk_number == families_desk["recent"].kk_number


def test_old_import_rows_that_never_became_a_ticket_and_empty_old_groups_go_too(families_desk):
    report = retention.purge_personal_data()
    stranger_row = ImportRow.objects.get(row_number=3)
    assert (
        stranger_row.nik_digest,
        stranger_row.kk_digest,
        stranger_row.nik_masked,
        stranger_row.errors,
    ) == (
        "",
        "",
        "",
        "",
    )
    assert FamilyGroup.objects.get(pk=families_desk["empty_group"].pk).kk_number == ""
    fresh = ImportRow.objects.get(pk=families_desk["fresh"].pk)
    assert fresh.nik_digest == nik_digest(nik_with_serial(8)), "a recent batch keeps its rows"
    assert (report.import_rows, report.family_groups) == (3, 2)


def test_the_dry_run_counts_the_families_data_the_same(families_desk):
    would = retention.purge_personal_data(dry_run=True)
    did = retention.purge_personal_data()
    assert would.as_dict() == did.as_dict()
    assert retention.purge_personal_data().as_dict() | {"complete": True} == retention.PurgeReport().as_dict()


def test_a_whatsapp_number_silent_past_retention_goes_with_its_messages_and_a_recent_one_stays():
    from notifications.models import OptOut
    from notifications.optout import opted_out, record_opt_out
    from whatsapp.models import Contact, InboundMessage, Reply, phone_digest

    def contact(number: str, silent_days: int) -> Contact:
        person = Contact.objects.create(
            phone=number,
            phone_digest=phone_digest(number),
            phone_hint=f"****{number[-4:]}",
            last_inbound_at=days_ago(silent_days),
        )
        InboundMessage.objects.create(contact=person, provider_message_id=f"wamid.{number}", intent="cek")
        Reply.objects.create(contact=person, text="Status tiket: Selesai.")
        return person

    old, recent = contact("6281200000001", 400), contact("6281200000002", 10)
    record_opt_out("whatsapp", old.phone)
    OptOut.objects.update(opted_out_at=days_ago(400))
    record_opt_out("whatsapp", recent.phone)
    assert retention.purge_personal_data(dry_run=True).whatsapp_contacts == 1
    assert retention.purge_personal_data().whatsapp_contacts == 1
    assert list(Contact.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not InboundMessage.objects.filter(contact_id=old.pk).exists()
    assert not Reply.objects.filter(contact_id=old.pk).exists()
    assert not opted_out("whatsapp", old.phone) and opted_out("whatsapp", recent.phone)
