"""Erase personal data past its retention period (RETENTION_DAYS after a final status).

See desk/retention.py for what is erased and what stays."""

from django.core.management.base import BaseCommand

from desk import retention


class Command(BaseCommand):
    help = (
        "Erase or anonymise personal data RETENTION_DAYS (default 365) after a ticket's final "
        "status; counts for the dashboard stay. Idempotent; every real run is audited; "
        "--dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased; write nothing."
        )
        parser.add_argument("--batch-size", type=int, default=retention.BATCH_SIZE)

    def handle(self, *args, dry_run, batch_size, **options):
        report = retention.purge_personal_data(
            dry_run=dry_run, batch_size=batch_size, actor_label="manage.py purge_personal_data"
        )
        counts = report.as_dict()
        del counts["complete"]
        verb = "Would erase" if dry_run else "Erased"
        self.stdout.write(
            f"{verb} (retention {retention.retention_days()} days): "
            + ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in counts.items())
        )
