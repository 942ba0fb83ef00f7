"""Apply (or reject) every update whose time has come; optionally keep doing so.

Reads already apply lazily, so this is optional: it makes `updated_at` and the stats move even when
nobody is reading, e.g. for a demo dashboard.
"""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from mockregistry import services


class Command(BaseCommand):
    help = "Settle due updates once, or every N seconds with --every N."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="repeat forever with this pause (0: run once)",
        )

    def handle(self, *args, every, **options):
        while True:
            settled = services.process_due_updates(now=timezone.now())
            if settled or not every:
                self.stdout.write(f"settled {settled} update(s)")
            if not every:
                return
            time.sleep(every)
