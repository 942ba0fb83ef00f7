"""Walk the audit chain from the first entry and report the first broken link (exit code 1)."""

from django.core.management.base import BaseCommand, CommandError

from audit import chain
from audit.models import AuditEntry


def _anchor(text: str) -> tuple[int, str]:
    sequence, _sep, digest = text.partition(":")
    if not sequence.isdigit() or len(digest) != 64:
        raise CommandError(f"--anchor wants SEQUENCE:HASH (64 hex digits), not {text!r}")
    return int(sequence), digest.lower()


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain. Prints the head (sequence and hash) to keep outside the "
        "database; pass it back later with --anchor to detect a rewritten or shortened chain."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQUENCE:HASH",
            help="A head printed by an earlier run; that entry must still carry this hash.",
        )
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, anchor, batch_size, **options):
        anchors = dict(_anchor(text) for text in anchor)
        entries = AuditEntry.objects.order_by("sequence").iterator(chunk_size=batch_size)
        try:
            report = chain.verify(entries, anchors=anchors)
        finally:
            entries.close()  # stopped early at a break: close the server-side cursor now
        if not report.ok:
            raise CommandError(f"Audit chain broken at {report.broken}", returncode=1)
        self.stdout.write(
            f"Audit chain intact: {report.entries} entries; head #{report.head_sequence} {report.head_hash}"
        )
