"""Every write of the families app, by sub-domain; callers import the names from here.

- intake: family groups at the counter.
- imports: the KK import's upload, its batch lease and the file's validation into a preview.
- progress: a confirmed import turned into tickets, and batches that stopped progressing.
"""

from families.services.imports import (
    StoredUpload,
    already_in_sync,
    import_dir,
    register_upload,
    store_upload,
    validate_batch,
)
from families.services.intake import MemberEntry, open_family_group, open_ticket_of, ticket_for_member
from families.services.progress import confirm_batch, import_batch, stale_batches

__all__ = [
    "MemberEntry",
    "StoredUpload",
    "already_in_sync",
    "confirm_batch",
    "import_batch",
    "import_dir",
    "open_family_group",
    "open_ticket_of",
    "register_upload",
    "stale_batches",
    "store_upload",
    "ticket_for_member",
    "validate_batch",
]
