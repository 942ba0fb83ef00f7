"""`manage.py check_pipeline`: exit 1 when the sync pipeline makes no progress (a healthcheck).

    python manage.py check_pipeline                     # every check: progress, backlog, beat
    python manage.py check_pipeline --only progress,backlog   # the worker's container
    python manage.py check_pipeline --only beat         # beat's container

Prints one line per check (and the reasons) on stdout; a database it cannot reach is a failure.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from sync import health


class Command(BaseCommand):
    help = "Check that the sync pipeline is making progress; exit 1 if not (DESIGN.md §8)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", default="", help=f"Comma-separated checks among {', '.join(health.CHECKS)}."
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the status as JSON.")

    def handle(self, *args, only="", as_json=False, **options):
        wanted = tuple(name.strip() for name in only.split(",") if name.strip()) or None
        unknown = set(wanted or ()) - set(health.CHECKS)
        if unknown:
            raise CommandError(f"unknown check(s): {', '.join(sorted(unknown))}")
        try:
            status = health.pipeline_status(only=wanted)
        except Exception as exc:  # noqa: BLE001 - e.g. the database is down: not healthy
            self.stdout.write(f"fail: cannot read the pipeline's state ({type(exc).__name__})")
            raise SystemExit(1) from exc
        if as_json:
            self.stdout.write(json.dumps(status.as_dict()))
        else:
            for name, value in status.checks.items():
                self.stdout.write(f"{name}: {value}")
            for reason in status.reasons:
                self.stdout.write(f"  {reason}")
        if not status.ok:
            raise SystemExit(1)
