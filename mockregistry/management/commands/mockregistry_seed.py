"""Load residents into the mock registry: demo residents with stale KKs, and/or synthetic ones."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mockregistry import services
from mockregistry.seeding import BUILTIN_RESIDENTS, SeedFileError, clean_rows, read_seed_file
from mockregistry.synthetic import synthetic_residents


class Command(BaseCommand):
    help = (
        'Load residents into the mock registry. FILE is .json (a list of objects, or {"residents": [...]}) '
        "or .csv with a header row; fields: nik, kk_number, full_name, birth_date (YYYY-MM-DD), sex (L/P), "
        "region_code (optional). Existing NIKs are overwritten. Without FILE or --synthetic, loads the "
        "built-in demo residents. Run with DJANGO_SETTINGS_MODULE=mockregistry.settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", metavar="FILE", help="JSON or CSV seed file(s)")
        parser.add_argument("--builtin", action="store_true", help="also load the built-in demo residents")
        parser.add_argument(
            "--synthetic",
            type=int,
            default=0,
            metavar="N",
            help="also generate N residents with structurally valid NIKs (load tests)",
        )
        parser.add_argument("--random-seed", type=int, default=None, help="make --synthetic reproducible")

    def handle(self, *args, files, builtin, synthetic, random_seed, **options):
        if synthetic < 0:
            raise CommandError("--synthetic must be 0 or more")
        rows = self._rows(files, use_builtin=builtin or not (files or synthetic))
        records, problems = clean_rows(rows, today=timezone.now().date())
        if problems:
            raise CommandError("nothing loaded; invalid rows:\n  " + "\n  ".join(problems))
        now = timezone.now()
        if records:
            loaded = services.upsert_residents(records, now=now)
            self.stdout.write(f"loaded {loaded} resident(s)")
        if synthetic:
            created = services.insert_new_residents(synthetic_residents(synthetic, seed=random_seed), now=now)
            self.stdout.write(f"created {created} synthetic resident(s)")

    def _rows(self, files, *, use_builtin: bool) -> list:
        rows = list(BUILTIN_RESIDENTS) if use_builtin else []
        for name in files:
            try:
                rows.extend(read_seed_file(Path(name)))
            except SeedFileError as exc:
                raise CommandError(str(exc)) from None
        return rows
