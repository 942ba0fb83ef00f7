"""The hash chain: each entry links to the one before; audit_verify finds the first broken link."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError
from django.db import DatabaseError, connection, transaction

from audit import chain, services
from audit.models import AuditEntry
from tests.audit.helpers import SIXTEEN_DIGITS, raw_sql, verify
from tests.cast import NIK

pytestmark = pytest.mark.django_db


def record(actor=None, n=0, **extra):
    values = dict(
        action="view_full_nik",
        actor=actor,
        object_type="ticket",
        object_id=f"ABCDE2345{n}",
        office="3319",
        ip="10.0.0.7",
        details={"n": n},
    )
    values.update(extra)
    return services.record(**values)


@pytest.fixture
def three(clerk):
    return [record(clerk, n) for n in range(3)]


class TestLinking:
    def test_each_entry_links_to_the_hash_of_the_one_before(self, three):
        first, second, third = three
        assert [e.sequence for e in three] == [1, 2, 3]
        assert first.prev_hash == chain.GENESIS
        assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)

    def test_the_hash_covers_the_entry_as_the_database_returns_it(self, three):
        for entry in AuditEntry.objects.all():
            assert entry.computed_hash() == entry.hash

    def test_an_entry_names_the_actor_and_their_office(self, clerk):
        entry = record(clerk)
        entry.refresh_from_db()
        assert (entry.actor, entry.actor_label, entry.actor_office) == (clerk, "petugas", "3319")
        assert str(entry.ip) == "10.0.0.7"

    def test_the_system_acts_under_a_label(self):
        entry = record(None, actor_label="manage.py rotate_keys")
        assert entry.actor_id is None and entry.actor_label == "manage.py rotate_keys"
        assert record(None).actor_label == "sistem"

    def test_an_unknown_action_is_refused(self):
        with pytest.raises(ValueError, match="Unknown audit action"):
            services.record(action="looked_around")

    def test_an_address_that_is_no_ip_is_dropped(self):
        assert record(ip="not-an-ip").ip is None
        assert record(ip="2001:DB8:0:0::1").ip == "2001:db8::1"


class TestVerify:
    def test_an_intact_chain_passes_and_the_head_is_printed(self, three):
        output = verify()
        assert "intact: 3 entries" in output and f"head #3 {three[-1].hash}" in output

    def test_an_empty_chain_passes(self):
        assert "intact: 0 entries" in verify()

    def test_a_row_changed_with_raw_sql_fails_and_is_named(self, three):
        raw_sql("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["orang-lain", three[1].pk])
        with pytest.raises(CommandError) as failure:
            verify()
        assert failure.value.returncode == 1
        assert f"#2 (id {three[1].pk})" in str(failure.value) and "was changed" in str(failure.value)

    def test_changed_details_fail_too(self, three):
        raw_sql("UPDATE audit_auditentry SET details = %s WHERE id = %s", ['{"n": 99}', three[2].pk])
        with pytest.raises(CommandError, match=r"#3 \(id"):
            verify()

    def test_a_deleted_row_leaves_a_gap_that_fails(self, three):
        raw_sql("DELETE FROM audit_auditentry WHERE id = %s", [three[1].pk])
        with pytest.raises(CommandError, match="#2: missing"):
            verify()

    def test_a_rewritten_chain_fails_against_the_head_printed_earlier(self, three):
        head = f"3:{three[-1].hash}"
        # An attacker with the database changes entry 2 and recomputes every hash after it.
        raw_sql("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["orang-lain", three[1].pk])
        previous = three[0].hash
        for entry in AuditEntry.objects.order_by("sequence")[1:]:
            entry.prev_hash = previous
            new_hash = entry.computed_hash()
            raw_sql(
                "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
                [previous, new_hash, entry.pk],
            )
            previous = new_hash
        assert "intact" in verify()  # consistent in itself...
        with pytest.raises(CommandError, match="#3 .*anchor"):
            verify("--anchor", head)  # ...but not with the head kept outside the database

    def test_a_chain_cut_short_fails_against_the_head(self, three):
        head = f"3:{three[-1].hash}"
        raw_sql("DELETE FROM audit_auditentry WHERE id = %s", [three[2].pk])
        with pytest.raises(CommandError, match="cut short"):
            verify("--anchor", head)

    def test_a_malformed_anchor_is_refused(self, three):
        with pytest.raises(CommandError, match="SEQUENCE:HASH"):
            verify("--anchor", "3:abc")


class TestAppendOnly:
    def test_saving_an_existing_entry_raises(self, three):
        entry = AuditEntry.objects.get(sequence=1)
        entry.actor_label = "orang-lain"
        with pytest.raises(ValueError, match="append-only"):
            entry.save()

    def test_deleting_raises_for_one_entry_and_for_a_queryset(self, three):
        with pytest.raises(ValueError, match="append-only"):
            three[0].delete()
        with pytest.raises(ValueError, match="append-only"):
            AuditEntry.objects.all().delete()
        assert AuditEntry.objects.count() == 3

    def test_bulk_writes_raise(self, three):
        with pytest.raises(ValueError, match="append-only"):
            AuditEntry.objects.filter(sequence=1).update(actor_label="orang-lain")
        with pytest.raises(ValueError):
            AuditEntry.objects.bulk_create([AuditEntry(sequence=9)])

    def test_an_entry_built_by_hand_is_refused(self, three):
        with pytest.raises(ValueError, match="audit.services.record"):
            AuditEntry(
                sequence=4,
                created_at=three[0].created_at,
                actor_label="x",
                action="export",
                prev_hash=three[2].hash,
                hash="0" * 64,
            ).save()

    def test_the_database_refuses_raw_updates_and_deletes(self, three):
        # The trigger is PostgreSQL's, the database `make test` runs on.
        assert connection.vendor == "postgresql", "run the suite on PostgreSQL (make test)"
        for sql in ("UPDATE audit_auditentry SET actor_label = 'x'", "DELETE FROM audit_auditentry"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql)
        assert "intact: 3 entries" in verify()


class TestNoFullNumbers:
    def test_every_string_is_masked_to_its_last_four_digits(self, clerk):
        entry = record(
            clerk,
            object_id=NIK,
            details={
                "purpose": f"lihat {NIK}",
                "spaced": "3319 0141 0190 0001",
                "dotted": "331901.410190.0001",
                NIK: [NIK, {"kk": "3319011503260002"}],
                "as_number": int(NIK),
                "longer": "1" * 20,
            },
        )
        entry.refresh_from_db()
        stored = f"{entry.object_id} {entry.details}"
        assert not SIXTEEN_DIGITS.search(stored), stored
        assert entry.object_id == "************0001"
        assert entry.details["purpose"] == "lihat ************0001"
        assert entry.details["as_number"] == "************0001"

    def test_dates_times_and_counts_stay_readable(self):
        details = {
            "start": "2026-11-01",
            "at": "2026-11-29T18:42:27.123456+00:00",
            "rows": 1234567,
            "ratio": 0.5,
            "ok": True,
            "none": None,
        }
        entry = record(details=details)
        entry.refresh_from_db()
        assert entry.details == {**details, "ratio": "0.5"}  # floats are kept as text (exact in jsonb)


# Modules other apps import (or that run on their own): the audit app's core depends on no other
# project app, so citizens, tickets and the rest can import it. admin.py and views.py share the
# list pages' paginator from core.pagination (the bottom layer, which imports no app).
CORE_MODULES = [
    "apps.py",
    "chain.py",
    "forms.py",
    "models.py",
    "scrub.py",
    "selectors.py",
    "services.py",
    "urls.py",
    "management/commands/audit_verify.py",
]
PROJECT_APPS = {
    "citizens",
    "tickets",
    "sync",
    "notifications",
    "helpdesk",
    "desk",
    "mockregistry",
    "families",
}


@pytest.mark.parametrize("module", CORE_MODULES)
def test_the_audit_core_imports_no_other_project_app(module):
    tree = ast.parse((Path(settings.BASE_DIR) / "audit" / module).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not {name.split(".")[0] for name in imported} & PROJECT_APPS
