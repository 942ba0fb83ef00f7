"""Re-encrypt every encrypted column under the newest FIELD_ENCRYPTION_KEYS key (and, with
--rehash, recompute the lookup digests with the current FIELD_HMAC_KEY). See citizens/rotation.py."""

from django.core.management.base import BaseCommand, CommandError

from audit import services as audit
from citizens import rotation


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data under the first key of FIELD_ENCRYPTION_KEYS (idempotent, in batches). "
        "--rehash also recomputes the NIK/KK lookup digests with the current FIELD_HMAC_KEY "
        "(stop the web and workers first). --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")
        parser.add_argument(
            "--rehash",
            action="store_true",
            help="Also recompute the lookup digests (after changing FIELD_HMAC_KEY).",
        )
        parser.add_argument("--batch-size", type=int, default=rotation.BATCH_SIZE)

    def handle(self, *args, dry_run, rehash, batch_size, **options):
        report = rotation.rotate_encryption(dry_run=dry_run, batch_size=batch_size)
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        for label, column in report.columns.items():
            self.stdout.write(
                f"{label}: {verb} {column.rotated}, already current {column.current}, "
                f"empty {column.empty}, unreadable {column.unreadable}"
            )
        details = {"dry_run": dry_run, "encryption": report.as_dict()}
        if rehash:
            digests = rotation.rehash_digests(dry_run=dry_run, batch_size=batch_size)
            rehashed = "would rehash" if dry_run else "rehashed"
            for label, counts in digests.items():
                self.stdout.write(
                    f"{label}: {rehashed} {counts['rehashed']}, "
                    f"already current {counts['current']}, erased {counts['erased']}"
                )
            details["digests"] = digests
        if not dry_run:
            audit.record(
                action="key_rotation",
                actor_label="manage.py rotate_keys",
                object_type="system",
                details=details,
            )
        unreadable = report.total("unreadable")
        if unreadable:
            raise CommandError(
                f"{unreadable} value(s) cannot be decrypted with any configured key; "
                "they were left as they are. Add the missing key to FIELD_ENCRYPTION_KEYS."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {verb} {report.total('rotated')} value(s); {report.total('current')} already current."
            )
        )
