"""Load the demo: the Kudus office, the three demo logins and a few dozen tickets in every state."""

import datetime as dt
import json
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from tickets import services
from tickets.models import Category, Office, Service, StaffProfile, Ticket
from tickets.permissions import COUNTER_GROUP, SUPERVISOR_GROUP
from tickets.services import Complaint
from tickets.sla import sla_delta
from tickets.texts import EventText

KUDUS = {
    "code": "3319",
    "name": "Disdukcapil Kabupaten Kudus",
    "region_code": "33.19",
    "central_contact_whatsapp": "+628118005373",
}
DEMO_USERS = [
    ("petugas", "Sri", "Wahyuni", [COUNTER_GROUP], False),
    ("supervisor", "Bambang", "Susilo", [SUPERVISOR_GROUP], False),
    ("admin", "Admin", "Sinkron", [SUPERVISOR_GROUP], True),
]
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
# How the demo's tickets are spread over the states (status -> count).
SPREAD = {"new": 6, "sent": 10, "resolved": 10, "escalated": 4, "rejected": 3, "closed": 3}


def demo_nik(rng: random.Random, birth: dt.date, sex: str, serial: int) -> str:
    district = rng.randint(1, 9)
    day = birth.day + (40 if sex == "P" else 0)
    return f"3319{district:02d}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def demo_kk(rng: random.Random, recorded: dt.date, serial: int) -> str:
    return f"3319{rng.randint(1, 9):02d}{recorded.day:02d}{recorded.month:02d}{recorded.year % 100:02d}{serial:04d}"


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
        users = self._users(office)
        if Ticket.objects.filter(office=office).exists():
            self.stdout.write("Data demo sudah ada; tiket tidak ditambah.")
            return
        residents = self._tickets(office, users)
        with open(options["residents_file"], "w") as out:
            json.dump(residents, out, indent=1)
        self.stdout.write(f"{Ticket.objects.filter(office=office).count()} tiket demo dibuat.")

    def _users(self, office):
        password = settings.DEMO_PASSWORD
        users = {}
        for username, first, last, groups, superuser in DEMO_USERS:
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
    def _tickets(self, office, users) -> list[dict]:
        rng = random.Random(3319)
        now = timezone.now()
        residents = []
        serial = 0
        for status, count in SPREAD.items():
            for _ in range(count):
                serial += 1
                complaint, stale_kk = self._complaint(rng, serial)
                residents.append(
                    {
                        "nik": complaint.nik,
                        "kk_number": stale_kk,
                        "full_name": complaint.full_name,
                        "birth_date": complaint.birth_date.isoformat(),
                        "sex": complaint.sex,
                    }
                )
                ticket = services.open_ticket(office=office, created_by=users["petugas"], complaint=complaint)
                self._age(ticket, now - dt.timedelta(hours=rng.randint(1, 96)))
                self._drive(ticket, status, users["supervisor"], rng)
        return residents

    def _complaint(self, rng, serial) -> tuple[Complaint, str]:
        sex = rng.choice("LP")
        birth = dt.date(rng.randint(1970, 2004), rng.randint(1, 12), rng.randint(1, 28))
        recorded_new = dt.date(2026, rng.randint(1, 10), rng.randint(1, 28))
        recorded_old = dt.date(rng.randint(2005, 2020), rng.randint(1, 12), rng.randint(1, 28))
        new_kk, old_kk = demo_kk(rng, recorded_new, serial), demo_kk(rng, recorded_old, serial + 500)
        complaint = Complaint(
            nik=demo_nik(rng, birth, sex, serial),
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

    def _age(self, ticket, created_at):
        Ticket.objects.filter(pk=ticket.pk).update(created_at=created_at, due_at=created_at + sla_delta())
        ticket.events.update(created_at=created_at)
        ticket.refresh_from_db()

    def _drive(self, ticket, status, supervisor, rng):
        if status == "new":
            return
        if status == "closed":
            services.close_ticket(ticket=ticket, actor=supervisor, reason="Duplikat pengaduan di loket lain.")
            return
        sent_at = ticket.created_at + dt.timedelta(minutes=rng.randint(1, 30))
        ticket = services.mark_pushed(ticket=ticket, accepted_at=sent_at, sla_due_at=sent_at + sla_delta())
        if status == "resolved":
            services.mark_verified(ticket=ticket, details={"demo": True})
        elif status == "escalated":
            services.escalate_ticket(
                ticket=ticket,
                actor=None,
                reason=EventText(
                    gettext_noop("Melewati SLA 1x24 jam; data belum berubah di pusat. Hubungi petugas pusat.")
                ),
            )
        elif status == "rejected":
            services.reject_ticket(
                ticket=ticket,
                actor=None,
                reason=EventText(
                    gettext_noop("Pusat menolak data: %(reason)s"),
                    reason="dokumen pendukung diperlukan (KK asli dan buku nikah)",
                ),
            )
