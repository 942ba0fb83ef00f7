"""Add the demo's two family groups (families/demo.py) after seed_demo, and write what the mock
centre must hold for them; `make demo-data` loads that file into the mock registry."""

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from citizens.models import kk_digest
from families.demo import FAMILIES, seed_demo_families
from families.models import FamilyGroup
from tickets.models import Office


class Command(BaseCommand):
    help = "Open the demo's family groups (DEMO_MODE only) and write their central records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            default=str(settings.VAR_DIR / "demo_families.json"),
            help="Where to write the families' central records (the mock registry's seed format).",
        )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo_families only runs with DEMO_MODE on (never in production).")
        office = Office.objects.filter(code="3319").first()
        clerk = get_user_model().objects.filter(username="petugas").first()
        if office is None or clerk is None:
            raise CommandError("Jalankan seed_demo lebih dulu.")
        digests = [kk_digest(family["kk_number"]) for family in FAMILIES]
        if FamilyGroup.objects.filter(office=office, kk_digest__in=digests).exists():
            self.stdout.write("Keluarga demo sudah ada; tidak ditambah.")
            return
        records = seed_demo_families(office=office, created_by=clerk)
        with open(options["out"], "w") as out:
            json.dump(records, out, indent=1)
        self.stdout.write(f"{len(FAMILIES)} keluarga demo dibuat.")
