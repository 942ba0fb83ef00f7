"""Retention: personal data goes RETENTION_DAYS after a final status; the dashboard's counts stay."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from audit.models import AuditEntry
from citizens.models import Citizen, DataCorrection, FamilyCard
from citizens.services import correct_citizen
from desk import retention, tasks
from desk.selectors import dashboard as selectors
from notifications.models import Notification
from sync.models import SyncJob
from tests.audit.helpers import SIXTEEN_DIGITS, audit_table_text
from tests.cast import KK_NEW, complaint, nik_with_serial
from tickets import services
from tickets.models import Ticket, TicketEvent
from tickets.texts import EventText

pytestmark = pytest.mark.django_db
ERASED = retention.ERASED
PERSONAL_TABLES = [
    "citizens_citizen",
    "citizens_familycard",
    "citizens_familymembership",
    "citizens_datacorrection",
    "tickets_ticket",
    "tickets_ticketevent",
    "sync_syncjob",
    "notifications_notification",
]


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def kk(serial: int) -> str:
    return f"{KK_NEW[:12]}{serial:04d}"


def open_for(office, clerk, serial: int, *, kk_number=None, **overrides) -> Ticket:
    ticket = services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(
            nik=nik_with_serial(serial),
            kk_number=kk_number or kk(serial),
            email=f"warga{serial}@example.org",
            description=f"Pemohon no. {serial}: KK baru setelah menikah.",
            **overrides,
        ),
    )
    services.add_note(ticket=ticket, actor=clerk, text=f"Pemohon {serial} menelepon dari 0812-3456-7890.")
    return ticket


def resolved(ticket: Ticket, days: int) -> Ticket:
    """Resolve `ticket` through the workflow, then move its dates `days` into the past."""
    services.mark_pushed(ticket=ticket, accepted_at=timezone.now(), sla_due_at=timezone.now())
    services.mark_verified(ticket=ticket)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=days_ago(days + 3), sent_at=days_ago(days + 2), resolved_at=days_ago(days)
    )
    return Ticket.objects.get(pk=ticket.pk)


def rejected(ticket: Ticket, actor, days: int) -> Ticket:
    services.reject_ticket(ticket=ticket, actor=actor, reason="Pemohon Budi harus membawa akta asli.")
    Ticket.objects.filter(pk=ticket.pk).update(created_at=days_ago(days + 1), closed_at=days_ago(days))
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def desk(office, clerk, supervisor):
    """Citizens 1-2 past retention (resolved / rejected 400 days ago), 3 resolved 10 days ago, 4 open,
    5 with an old resolved ticket and an open one."""
    old = resolved(open_for(office, clerk, 1), 400)
    correct_citizen(
        citizen=old.citizen,
        actor=supervisor,
        changes={"full_name": "Siti R."},
        reason="Nama Siti Rahayu disingkat.",
    )
    old_rejected = rejected(open_for(office, clerk, 2), clerk, 400)
    recent = resolved(open_for(office, clerk, 3), 10)
    still_open = open_for(office, clerk, 4)
    mixed_old = resolved(open_for(office, clerk, 5, category="kk_mismatch"), 400)
    mixed_open = open_for(office, clerk, 5, category="new_kk")
    return {
        "old": old,
        "old_rejected": old_rejected,
        "recent": recent,
        "open": still_open,
        "mixed_old": mixed_old,
        "mixed_open": mixed_open,
    }


def snapshot(*tables) -> dict:
    """Every row of the tables as the database holds them (tokens included)."""
    rows = {}
    with connection.cursor() as cursor:
        for table in tables or PERSONAL_TABLES:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            rows[table] = cursor.fetchall()
    return rows


def rows_where(table: str, column: str, ids) -> list[tuple]:
    ids = list(ids)
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(f'SELECT * FROM "{table}" WHERE "{column}" IN ({placeholders}) ORDER BY 1', ids)
        return cursor.fetchall()


def citizen_rows(*serials) -> dict:
    """The stored rows (tokens included) of these citizens, their tickets, timelines and sync jobs."""
    last4 = [f"{serial:04d}" for serial in serials]
    citizens = list(Citizen.objects.filter(nik_last4__in=last4).values_list("pk", flat=True))
    tickets = list(Ticket.objects.filter(citizen__in=citizens).values_list("pk", flat=True))
    return {
        "citizen": rows_where("citizens_citizen", "id", citizens),
        "ticket": rows_where("tickets_ticket", "id", tickets),
        "event": rows_where("tickets_ticketevent", "ticket_id", tickets),
        "job": rows_where("sync_syncjob", "ticket_id", tickets),
    }


def dashboard(office) -> dict:
    period = selectors.Period.last_days(500)
    return {
        "headline": selectors.headline(office, period),
        "flow": selectors.daily_flow(office, period),
        "breakdown": selectors.breakdown(office, period),
        "workload": selectors.workload(office, period),
        "resolve": selectors.resolve_distribution(office, period),
        "statuses": sorted(
            Ticket.objects.values_list(
                "code",
                "status",
                "category",
                "service",
                "created_at",
                "sent_at",
                "resolved_at",
                "closed_at",
                "assignee",
            )
        ),
        "events": sorted(
            TicketEvent.objects.values_list("id", "kind", "from_status", "to_status", "created_at", "actor")
        ),
    }


class TestWhatIsErased:
    def test_a_citizen_whose_tickets_ended_long_ago_is_erased(self, desk):
        retention.purge_personal_data()
        citizen = Citizen.objects.get(pk=desk["old"].citizen_id)
        assert (citizen.nik, citizen.nik_last4, citizen.phone, citizen.email) == ("", "", "", "")
        assert citizen.full_name == ERASED and citizen.birth_date == dt.date(1990, 1, 1)
        assert citizen.nik_digest.startswith("purged-") and len(citizen.nik_digest) <= 64
        assert not Citizen.objects.with_nik(nik_with_serial(1)).exists()

    def test_their_tickets_lose_kk_numbers_and_free_text_but_keep_what_the_dashboard_counts(self, desk):
        before = Ticket.objects.values().get(pk=desk["old"].pk)
        retention.purge_personal_data()
        after = Ticket.objects.values().get(pk=desk["old"].pk)
        erased = {
            "kk_number": "",
            "kk_number_old": "",
            "kk_last4": "",
            "phone": "",
            "email": "",
            "description": "",
            "outcome_note": "",
        }
        assert after == {**before, **erased}

    def test_the_rejection_counts_as_a_final_status(self, desk):
        retention.purge_personal_data()
        assert Citizen.objects.get(pk=desk["old_rejected"].citizen_id).nik == ""

    def test_staff_text_on_the_timeline_is_anonymised_and_fixed_texts_stay(self, desk):
        retention.purge_personal_data()
        events = TicketEvent.objects.filter(ticket__in=[desk["old"], desk["old_rejected"]])
        for event in events:
            typed = event.kind in ("note", "escalation", "notification") or (
                event.kind == "status" and event.actor_id is not None
            )
            assert (event.message == ERASED) == typed, (event.kind, event.message)
        assert events.filter(kind="note").count() == 2
        assert events.get(kind="opened", ticket=desk["old"]).message == "Pengaduan dicatat di loket."

    def test_an_erased_event_keeps_no_parameters_that_would_bring_its_text_back(self, desk):
        services.record_notification_event(
            ticket=desk["old"],
            message=EventText(
                gettext_noop("Pemberitahuan '%(kind)s' terkirim ke %(to)s (%(channel)s)."),
                kind="Tiket selesai",
                to="+62******7890",
                channel="sms",
            ),
        )
        retention.purge_personal_data()
        event = TicketEvent.objects.get(ticket=desk["old"], kind="notification")
        assert (event.message, event.message_id, event.message_params, event.text) == (ERASED, "", {}, ERASED)

    def test_sync_payloads_notification_hints_and_correction_reasons_are_cleared(self, desk):
        retention.purge_personal_data()
        ticket = desk["old"]
        assert SyncJob.objects.get(ticket=ticket).payload == {}
        hints = Notification.objects.filter(ticket=ticket).values_list("recipient_hint", flat=True)
        assert hints and set(hints) == {""}
        correction = DataCorrection.objects.get(citizen=ticket.citizen)
        assert (correction.fields, correction.reason) == (["full_name"], ERASED)

    def test_a_family_card_goes_once_no_remaining_citizen_holds_it(self, office, clerk, desk):
        shared = resolved(open_for(office, clerk, 6, kk_number=kk(3)), 400)  # citizen 3's card
        retention.purge_personal_data()
        assert FamilyCard.objects.get(pk=desk["old"].citizen.family_card_id).kk_number == ""
        assert not FamilyCard.objects.with_number(kk(1)).exists()
        assert Citizen.objects.get(pk=shared.citizen_id).nik == ""
        assert FamilyCard.objects.with_number(kk(3)).get().kk_number == kk(3)  # citizen 3 keeps it

    def test_the_run_is_audited_with_counts_and_no_personal_numbers(self, desk):
        report = retention.purge_personal_data()
        [entry] = AuditEntry.objects.filter(action="retention_purge")
        assert entry.details["citizens"] == report.citizens == 2
        assert entry.details["tickets"] == 2 and entry.details["retention_days"] == 365
        assert not SIXTEEN_DIGITS.search(audit_table_text())


class TestWhatStays:
    def test_recent_and_open_tickets_keep_their_citizens_data(self, desk):
        kept = citizen_rows(3, 4, 5)
        retention.purge_personal_data()
        assert citizen_rows(3, 4, 5) == kept
        assert Citizen.objects.with_nik(nik_with_serial(3)).get().email == "warga3@example.org"

    def test_an_old_ticket_of_a_citizen_with_an_open_one_keeps_its_data_too(self, desk):
        retention.purge_personal_data()
        assert Ticket.objects.get(pk=desk["mixed_old"].pk).kk_number == kk(5)

    def test_the_dashboard_figures_do_not_change(self, office, desk):
        before = dashboard(office)
        assert len(before["statuses"]) == 6
        retention.purge_personal_data()
        assert dashboard(office) == before

    def test_retention_days_come_from_the_settings(self, settings, desk):
        settings.RETENTION_DAYS = 5
        assert retention.purge_personal_data().citizens == 3  # 10 days ago is now past retention
        assert Citizen.objects.get(pk=desk["recent"].citizen_id).nik == ""

    def test_a_ticket_opened_while_the_purge_runs_keeps_its_citizen(self, office, clerk, desk):
        cutoff = retention.retention_cutoff()
        citizen_id = desk["old"].citizen_id
        assert retention.purgeable_citizens(cutoff).filter(pk=citizen_id).exists()
        open_for(office, clerk, 1, category="kk_mismatch")  # the citizen is back before the batch locks
        assert retention._purge_batch([citizen_id], cutoff).citizens == 0
        assert Citizen.objects.get(pk=citizen_id).nik == nik_with_serial(1)

    def test_a_citizen_who_comes_back_after_the_purge_is_a_new_record(self, office, clerk, desk):
        retention.purge_personal_data()
        ticket = open_for(office, clerk, 1)
        assert ticket.citizen_id != desk["old"].citizen_id and ticket.citizen.nik == nik_with_serial(1)


class TestRuns:
    def test_a_second_run_changes_nothing(self, desk):
        first = retention.purge_personal_data()
        after_first = snapshot()
        second = retention.purge_personal_data()
        assert snapshot() == after_first
        assert (first.citizens, second.citizens, second.tickets, second.events) == (2, 0, 0, 0)
        assert AuditEntry.objects.filter(action="retention_purge").count() == 2  # every run is on record

    def test_a_dry_run_counts_what_a_run_would_erase_and_changes_nothing(self, desk):
        before, entries = snapshot(), AuditEntry.objects.count()
        would = retention.purge_personal_data(dry_run=True)
        assert snapshot() == before and AuditEntry.objects.count() == entries
        did = retention.purge_personal_data()
        assert would.as_dict() == did.as_dict()
        counts = (did.citizens, did.tickets, did.family_cards, did.sync_jobs, did.corrections)
        assert counts == (2, 2, 2, 2, 1)

    def test_the_command_has_a_dry_run(self, desk):
        out = io.StringIO()
        call_command("purge_personal_data", "--dry-run", stdout=out)
        assert "Would erase (retention 365 days): citizens 2, tickets 2" in out.getvalue()
        assert Citizen.objects.get(pk=desk["old"].citizen_id).nik == nik_with_serial(1)
        call_command("purge_personal_data", stdout=out)
        assert Citizen.objects.get(pk=desk["old"].citizen_id).nik == ""

    def test_batches_of_one_give_the_same_result(self, desk):
        assert retention.purge_personal_data(batch_size=1).citizens == 2

    def test_the_daily_task_purges_and_continues_a_backlog_in_a_follow_up(self, desk, monkeypatch):
        follow_ups = []
        monkeypatch.setattr(
            tasks.purge_personal_data, "apply_async", lambda **options: follow_ups.append(options)
        )
        monkeypatch.setattr(tasks, "PURGE_TIME_BUDGET_SECONDS", -1)  # spent before the first batch
        assert tasks.purge_personal_data()["complete"] is False and follow_ups == [{"countdown": 60}]
        monkeypatch.setattr(tasks, "PURGE_TIME_BUDGET_SECONDS", 240)
        assert tasks.purge_personal_data()["citizens"] == 2 and len(follow_ups) == 1
