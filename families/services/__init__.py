"""Every write of the families app, by sub-domain; callers import the names from here.

- intake: family groups at the counter.
- imports: the KK import's upload, its batch lease and the file's validation into a preview.
- progress: a confirmed import turned into tickets, and batches that stopped progressing.
- family_push: a family's new KK sent to the centre as one update.
"""

from families.services.family_push import due_pushes, push_family
from families.services.family_push import mark_dispatched as mark_dispatched_pushes
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
    "due_pushes",
    "import_batch",
    "import_dir",
    "mark_dispatched_pushes",
    "open_family_group",
    "open_ticket_of",
    "push_family",
    "register_upload",
    "stale_batches",
    "store_upload",
    "ticket_for_member",
    "validate_batch",
]
