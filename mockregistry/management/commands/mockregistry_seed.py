"""Load residents into the mock registry: demo residents with stale KKs, and/or synthetic ones."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mockregistry import services, world
from mockregistry.seeding import (
    BUILTIN_FAMILIES,
    BUILTIN_RESIDENTS,
    SeedFileError,
    clean_families,
    clean_rows,
    read_seed_families,
    read_seed_file,
)
from mockregistry.synthetic import synthetic_residents


class Command(BaseCommand):
    help = (
        'Load residents into the mock registry. FILE is .json (a list of objects, or {"residents": [...]}) '
        "or .csv with a header row; fields: nik, kk_number, full_name, birth_date (YYYY-MM-DD), sex (L/P), "
        "region_code (optional), state (optional: active/duplicate/blocked/inactive); a JSON object may add "
        '"families": [{kk_number, head_nik, members}]. Existing NIKs and KKs are overwritten. Without FILE '
        "or --synthetic, loads the built-in demo residents (one in each persistent state, and a family). "
        "Run with DJANGO_SETTINGS_MODULE=mockregistry.settings."
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
        use_builtin = builtin or not (files or synthetic)
        rows = self._rows(files, use_builtin=use_builtin)
        records, problems = clean_rows(rows, today=timezone.now().date())
        families, family_problems = clean_families(self._families(files, use_builtin=use_builtin))
        if problems or family_problems:
            raise CommandError("nothing loaded; invalid rows:\n  " + "\n  ".join(problems + family_problems))
        now = timezone.now()
        if records:
            loaded = services.upsert_residents(records, now=now)
            self.stdout.write(f"loaded {loaded} resident(s)")
        if families:
            self.stdout.write(f"loaded {world.upsert_families(families, now=now)} family card(s)")
        if synthetic:
            created = services.insert_new_residents(synthetic_residents(synthetic, seed=random_seed), now=now)
            self.stdout.write(f"created {created} synthetic resident(s)")

    def _families(self, files, *, use_builtin: bool) -> list:
        families = list(BUILTIN_FAMILIES) if use_builtin else []
        for name in files:
            try:
                families.extend(read_seed_families(Path(name)))
            except SeedFileError as exc:
                raise CommandError(str(exc)) from None
        return families

    def _rows(self, files, *, use_builtin: bool) -> list:
        rows = list(BUILTIN_RESIDENTS) if use_builtin else []
        for name in files:
            try:
                rows.extend(read_seed_file(Path(name)))
            except SeedFileError as exc:
                raise CommandError(str(exc)) from None
        return rows
