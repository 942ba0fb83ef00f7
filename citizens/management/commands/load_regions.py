from django.core.management.base import BaseCommand
from django.db import transaction

from citizens import regions
from citizens.models import Region


class Command(BaseCommand):
    help = (
        "Load the Kemendagri region list (provinces, regencies, districts) into the Region table. Idempotent."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        rows = [
            Region(code=r.code, name=r.name, level=r.level, parent_id=r.parent_code)
            for r in regions.iter_regions(max_level=regions.DISTRICT)
        ]
        # Parents sort before children, so one ordered upsert keeps every foreign key valid.
        Region.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent"],
        )
        self.stdout.write(f"{len(rows)} wilayah dimuat ({regions.SOURCE}).")
