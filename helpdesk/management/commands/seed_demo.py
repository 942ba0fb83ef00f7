"""Load the demo: the Kudus office, the three demo logins and a few dozen tickets in every state;
Pati beside it with a dozen, and the Central Java provincial office with its supervisor (`provinsi`),
so the roll-up (/wilayah/) has two rows.

The tickets are aged in demo time (one "day" is the SLA, 24 h divided by DEMO_TIME_SCALE) so the
dashboard reads like a working office's week: most resolved within the SLA, a few late, a few
overdue or escalated, and a history of open tickets per day.
"""

import datetime as dt
import json
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from desk.models import DailyStatusCount
from sync.models import SyncJob
from tickets import services
from tickets.blocks import block_message
from tickets.models import Category, Office, Service, StaffProfile, Ticket
from tickets.permissions import COUNTER_GROUP, PROVINCE_GROUP, SUPERVISOR_GROUP
from tickets.services import Complaint
from tickets.sla import scaled, sla_delta
from tickets.texts import EventText
from tickets.workflow import OPEN_STATUSES, Status

KUDUS = {
    "code": "3319",
    "name": "Disdukcapil Kabupaten Kudus",
    "region_code": "33.19",
    "central_contact_whatsapp": "+628118005373",
}
PATI = {"code": "3318", "name": "Disdukcapil Kabupaten Pati", "region_code": "33.18"}
CENTRAL_JAVA = {"code": "33", "name": "Disdukcapil Provinsi Jawa Tengah", "region_code": "33", "level": 1}
DEMO_USERS = [
    ("petugas", "Sri", "Wahyuni", [COUNTER_GROUP], False),
    ("supervisor", "Bambang", "Susilo", [SUPERVISOR_GROUP], False),
    ("admin", "Admin", "Sinkron", [SUPERVISOR_GROUP], True),
]
PATI_USERS = [
    ("petugas_pati", "Tri", "Utami", [COUNTER_GROUP], False),
    ("supervisor_pati", "Agus", "Riyanto", [SUPERVISOR_GROUP], False),
]
PROVINCE_USERS = [("provinsi", "Endang", "Pratiwi", [PROVINCE_GROUP], False)]
FIRST_NAMES = [
    "Budi",
    "Siti",
    "Agus",
    "Dewi",
    "Eko",
    "Rina",
    "Joko",
    "Ani",
    "Wahyu",
    "Lestari",
    "Dian",
    "Rudi",
    "Nur",
    "Fajar",
    "Indah",
    "Hendra",
    "Yuni",
    "Slamet",
]
LAST_NAMES = [
    "Santoso",
    "Rahayu",
    "Prasetyo",
    "Wulandari",
    "Saputra",
    "Kurniawati",
    "Hidayat",
    "Purnomo",
    "Setiawan",
    "Lestari",
    "Nugroho",
    "Handayani",
]
# How the demo's tickets are spread over the states (status -> count), as in a working office.
SPREAD = {
    "new": 5,
    "sent": 9,
    "centre_applied": 3,
    "resolved": 24,
    "escalated": 3,
    "rejected": 3,
    "closed": 2,
}
PORTAL_LATE_EVERY = 8  # every eighth resolved ticket ended at the portal's window, not seen by it
PATI_SPREAD = {"new": 2, "sent": 3, "resolved": 6, "escalated": 1, "rejected": 1}  # a quieter office
LATE_EVERY = 6  # every sixth resolved ticket took longer than the SLA (about 83 % within it)
OVERDUE_SENT = 2  # sent tickets already past their SLA that the sweeper has not escalated yet
HISTORY_DAYS = 6  # past days of the open-tickets-per-status history
# The centre's hard cases (issue 18), one ticket each, already refused and waiting in "Perlu
# tindakan" for the clerk's action, which then talks to the demo's mock for real: the mock's
# built-in residents in each persistent state (`mockregistry_seed --builtin`, mockregistry/seeding.py)
# and a NIK the centre has never recorded. Their residents are not written to the residents file,
# which would overwrite the built-in states. The README's demo section lists them.
HARD_CASES = [
    # (NIK, name, birth date, sex, new KK, category, what the centre answered)
    (
        "3319071502900006",
        "Eko Wibowo",
        "1990-02-15",
        "L",
        "3319071010250004",
        "duplicate_nik",
        "nik_duplicate",
    ),
    (
        "3319084410030007",
        "Putri Handayani",
        "2003-10-04",
        "P",
        "3319081211250006",
        "kk_mismatch",
        "nik_blocked",
    ),
    (
        "3319080306600008",
        "Slamet Hidayat",
        "1960-06-03",
        "L",
        "3319080512250003",
        "inactive_nik",
        "nik_inactive",
    ),
    (
        "3319012808990010",
        "Fajar Nugroho",
        "1999-08-28",
        "L",
        "3319011911250002",
        "nik_not_found",
        "documents_required",
    ),
]


def demo_nik(rng: random.Random, birth: dt.date, sex: str, serial: int, regency: str = "3319") -> str:
    district = rng.randint(1, 9)
    day = birth.day + (40 if sex == "P" else 0)
    return f"{regency}{district:02d}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def demo_kk(rng: random.Random, recorded: dt.date, serial: int, regency: str = "3319") -> str:
    return f"{regency}{rng.randint(1, 9):02d}{recorded.day:02d}{recorded.month:02d}{recorded.year % 100:02d}{serial:04d}"


class Command(BaseCommand):
    help = "Create demo data (office, users petugas/supervisor/admin, tickets). Demo mode only; idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents-file",
            default=str(settings.VAR_DIR / "demo_residents.json"),
            help="Where to write the demo residents' stale central records for the mock registry.",
        )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo only runs with DEMO_MODE on (never in production).")
        office, _created = Office.objects.get_or_create(code=KUDUS["code"], defaults=KUDUS)
        pati, _created = Office.objects.get_or_create(code=PATI["code"], defaults=PATI)
        province, _created = Office.objects.get_or_create(code=CENTRAL_JAVA["code"], defaults=CENTRAL_JAVA)
        users, pati_users = self._users(office, DEMO_USERS), self._users(pati, PATI_USERS)
        self._users(province, PROVINCE_USERS)
        if Ticket.objects.filter(office=office).exists():
            self.stdout.write("Data demo sudah ada; tiket tidak ditambah.")
            return
        # Pati first: Kudus's tickets are aged from the moment its seeding starts, and with a
        # compressed demo clock its "within the SLA" ones must not age past it while Pati is seeded.
        residents = self._tickets(
            pati,
            PATI_SPREAD,
            clerk=pati_users["petugas_pati"],
            supervisor=pati_users["supervisor_pati"],
            rng=random.Random(3318),
            first_serial=100,
        )
        residents += self._tickets(
            office, SPREAD, clerk=users["petugas"], supervisor=users["supervisor"], rng=random.Random(3319)
        )
        self._hard_cases(office, users["petugas"])
        with open(options["residents_file"], "w") as out:
            json.dump(residents, out, indent=1)
        self.stdout.write(f"{Ticket.objects.count()} tiket demo dibuat.")

    def _users(self, office, cast):
        password = settings.DEMO_PASSWORD
        users = {}
        for username, first, last, groups, superuser in cast:
            user, created = get_user_model().objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": superuser,
                    "is_superuser": superuser,
                },
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(*Group.objects.filter(name__in=groups))
            StaffProfile.objects.get_or_create(user=user, defaults={"office": office})
            users[username] = user
        return users

    @transaction.atomic
    def _tickets(self, office, spread, *, clerk, supervisor, rng, first_serial=0) -> list[dict]:
        """Open and age the office's demo tickets (`spread`: status -> count); return their residents."""
        now = timezone.now()
        residents = []
        timelines = []
        serial = first_serial
        for status, count in spread.items():
            for index in range(count):
                serial += 1
                complaint, stale_kk = self._complaint(rng, serial, office.code)
                residents.append(
                    {
                        "nik": complaint.nik,
                        "kk_number": stale_kk,
                        "full_name": complaint.full_name,
                        "birth_date": complaint.birth_date.isoformat(),
                        "sex": complaint.sex,
                    }
                )
                ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint)
                ticket = self._drive(ticket, status, supervisor, index)
                times = timeline(status, index, rng, now)
                self._age(ticket, status, times)
                timelines.append((status, times))
        self._history(office, timelines, now)
        return residents

    def _hard_cases(self, office, clerk) -> None:
        """Open one ticket per hard case, refused by the centre as its resident's state says."""
        for nik, name, birth, sex, kk_number, category, refusal in HARD_CASES:
            complaint = Complaint(
                nik=nik,
                full_name=name,
                birth_date=dt.date.fromisoformat(birth),
                sex=sex,
                phone="+6281229007001",
                kk_number=kk_number,
                kk_number_old="",
                category=category,
                service=Service.BPJS,
                description="BPJS menolak NIK; data di pusat tidak sesuai.",
            )
            ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint)
            SyncJob.objects.filter(ticket=ticket).update(state=SyncJob.State.REJECTED, last_error=refusal)
            services.mark_action_needed(ticket=ticket, reason_code=refusal, message=block_message(refusal))

    def _complaint(self, rng, serial, regency) -> tuple[Complaint, str]:
        sex = rng.choice("LP")
        birth = dt.date(rng.randint(1970, 2004), rng.randint(1, 12), rng.randint(1, 28))
        recorded_new = dt.date(2026, rng.randint(1, 10), rng.randint(1, 28))
        recorded_old = dt.date(rng.randint(2005, 2020), rng.randint(1, 12), rng.randint(1, 28))
        new_kk = demo_kk(rng, recorded_new, serial, regency)
        old_kk = demo_kk(rng, recorded_old, serial + 500, regency)
        complaint = Complaint(
            nik=demo_nik(rng, birth, sex, serial, regency),
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            birth_date=birth,
            sex=sex,
            phone=f"+62812{rng.randint(10_000_000, 99_999_999)}",
            kk_number=new_kk,
            kk_number_old=old_kk,
            category=rng.choice(
                [Category.NEW_KK, Category.KK_MISMATCH, Category.NEW_KK, Category.MOVE_NOT_RECORDED]
            ),
            service=rng.choice([Service.SSCASN, Service.SSCASN, Service.BPJS, Service.BANK]),
            description="KK baru setelah pernikahan; SSCASN menolak NIK dan KK.",
        )
        return complaint, old_kk

    def _age(self, ticket, status: str, times: dict) -> None:
        """Move the driven ticket and its timeline back to `times` (created, sent, done)."""
        created, sent, done = times["created"], times.get("sent"), times.get("done")
        # The promise counts from the counter; the centre's own 1x24 jam from its acceptance.
        fields = {"created_at": created, "sent_at": sent, "due_at": created + sla_delta()}
        if sent:
            fields["centre_due_at"] = sent + sla_delta()
        if status == Status.RESOLVED:
            fields["resolved_at"] = done
        if status in (Status.REJECTED, Status.CLOSED):
            fields["closed_at"] = done
        applied = times.get("centre_applied")
        if applied:
            fields["centre_applied_at"] = applied
            ticket.events.filter(to_status=Status.CENTRE_APPLIED).update(created_at=applied)
        for stage in ("portal_seen_at", "portal_window_passed_at"):
            if getattr(ticket, stage):
                fields[stage] = done
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
        finished = [Status.RESOLVED, Status.ESCALATED, Status.REJECTED, Status.CLOSED]
        ticket.events.filter(to_status=Status.SENT).update(created_at=sent)
        ticket.events.filter(to_status__in=finished).update(created_at=done)
        staged = [Status.SENT, Status.CENTRE_APPLIED, *finished]
        ticket.events.filter(~Q(to_status__in=staged)).update(created_at=created)

    def _history(self, office, timelines: list[tuple[str, dict]], now) -> None:
        """Write the nightly open-by-status snapshots of the past days, as the seeded times imply."""
        today = timezone.localdate(now)
        rows = []
        for back in range(HISTORY_DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            end_of_day = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
            counts = dict.fromkeys(OPEN_STATUSES, 0)
            for status, times in timelines:
                shown = status_at(status, times, end_of_day)
                if shown in counts:
                    counts[shown] += 1
            rows += [DailyStatusCount(office=office, day=day, status=s, count=n) for s, n in counts.items()]
        DailyStatusCount.objects.bulk_create(rows, ignore_conflicts=True)

    def _drive(self, ticket, status, supervisor, index: int):
        """Walk the ticket to `status` through the services; return it as it ends."""
        if status == "new":
            return ticket
        if status == "closed":
            return services.close_ticket(
                ticket=ticket, actor=supervisor, reason="Duplikat pengaduan di loket lain."
            )
        sent_at = timezone.now()  # the real times come from timeline() in _age
        ticket = services.mark_pushed(ticket=ticket, accepted_at=sent_at, sla_due_at=sent_at + sla_delta())
        if status in ("centre_applied", "resolved"):
            ticket = services.mark_centre_applied(ticket=ticket, details={"demo": True})
        if status == "resolved" and index % PORTAL_LATE_EVERY == PORTAL_LATE_EVERY - 1:
            return services.mark_portal_window_passed(ticket=ticket, details={"demo": True})
        if status == "resolved":
            return services.mark_portal_seen(ticket=ticket, details={"demo": True})
        if status == "escalated":
            return services.escalate_ticket(
                ticket=ticket,
                actor=None,
                reason=EventText(
                    gettext_noop("Melewati SLA 1x24 jam; data belum berubah di pusat. Hubungi petugas pusat.")
                ),
            )
        if status == "rejected":
            return services.reject_ticket(
                ticket=ticket,
                actor=None,
                reason=EventText(
                    gettext_noop("Pusat menolak data: %(reason)s"),
                    reason="dokumen pendukung diperlukan (KK asli dan buku nikah)",
                ),
            )
        return ticket


def timeline(status: str, index: int, rng: random.Random, now) -> dict:
    """Return when the `index`-th demo ticket of `status` was created, sent, and finished.

    In demo days (the SLA): resolved ones over the last five and a half, most within the SLA and
    every LATE_EVERY-th late; waiting ones sent within the SLA but OVERDUE_SENT past it; escalated
    ones just after their SLA passed; new ones today.
    """
    day = sla_delta()
    if status == "new":
        return {"created": now - rng.uniform(0.02, 0.3) * day}
    if status == "closed":
        created = now - rng.uniform(0.5, 5) * day
        return {"created": created, "done": created + rng.uniform(0.1, 0.5) * day}
    done = None
    if status == "resolved":
        late = index % LATE_EVERY == LATE_EVERY - 1
        done = now - rng.uniform(0.02, 5.5) * day
        sent = done - (rng.uniform(1.05, 1.6) if late else rng.uniform(0.1, 0.9)) * day
    elif status == "sent":
        sent = now - (rng.uniform(1.05, 1.4) if index < OVERDUE_SENT else rng.uniform(0.05, 0.8)) * day
    elif status == "centre_applied":  # the centre within hours; the portal still to follow
        sent = now - rng.uniform(0.4, 0.9) * day
        return {**_times(sent, rng), "centre_applied": sent + rng.uniform(0.05, 0.3) * day}
    elif status == "escalated":
        sent = now - rng.uniform(1.2, 2.5) * day
        done = sent + day + rng.uniform(0.01, 0.1) * day
    else:  # rejected by the centre soon after the push
        sent = now - rng.uniform(0.5, 4) * day
        done = sent + rng.uniform(0.05, 0.3) * day
    times = {**_times(sent, rng), "done": done}
    if status == "resolved":  # the centre first, the portal (or its window) an hour or so later
        times["centre_applied"] = done - rng.uniform(0.01, 0.04) * day
    return times


def _times(sent, rng: random.Random) -> dict:
    return {"created": sent - scaled(rng.randint(60, 1800)), "sent": sent}


def status_at(final: str, times: dict, moment) -> str | None:
    """Return the status a ticket whose life is `times` (ending in `final`) had at `moment`."""
    if moment < times["created"]:
        return None
    if times.get("done") and moment >= times["done"]:
        return final
    if times.get("centre_applied") and moment >= times["centre_applied"]:
        return Status.CENTRE_APPLIED
    if times.get("sent") and moment >= times["sent"]:
        return Status.SENT
    return Status.NEW
