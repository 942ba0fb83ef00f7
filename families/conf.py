"""The families settings and their defaults, read at call time (never at import time).

helpdesk/settings.py reads each of them from the environment with the same default (README lists
them); a missing one takes the default here, so the app works before the settings module knows it.
"""

from django.conf import settings

DEFAULTS = {
    "FAMILY_IMPORT_MAX_BYTES": 50 * 1024 * 1024,  # an upload larger than this is refused at the form
    # An XLSX is a zip: its parts are checked by their declared unpacked sizes before it is opened.
    "FAMILY_IMPORT_XLSX_MAX_UNPACKED_BYTES": 256 * 1024 * 1024,  # all parts together
    "FAMILY_IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES": 64 * 1024 * 1024,  # openpyxl holds these in memory
    "FAMILY_IMPORT_XLSX_MAX_RATIO": 100,  # unpacked/packed of a part over 1 MB; real sheets stay < 30
    "FAMILY_IMPORT_READ_SECONDS": 90.0,  # one run reading the file longer than this fails the batch
    "FAMILY_IMPORT_MAX_ROWS": 200_000,  # a file with more data rows fails validation: split it
    "FAMILY_IMPORT_CHUNK_ROWS": 2000,  # rows validated and written (bulk_create) per transaction
    "FAMILY_IMPORT_TICKET_CHUNK": 50,  # rows turned into tickets per transaction at confirm
    "FAMILY_IMPORT_TASK_SECONDS": 30.0,  # one task run stops after this and re-queues itself
    "FAMILY_IMPORT_CLAIM_SECONDS": 120,  # a run's lease on its batch; > the task's hard time limit
    "FAMILY_IMPORT_MAX_RUNS": 500,  # task runs one batch may take before it is failed for good
    "FAMILY_IMPORT_STALE_SECONDS": 180,  # a batch without progress this long may be re-driven
    "FAMILY_IMPORT_PREVIEW_ROWS": 50,  # error rows shown on the preview page
    "FAMILY_GROUP_POLL_SECONDS": 10,  # the group page refreshes its progress this often
}


def setting(name: str):
    """Return the current value of families setting `name` (Django settings, else the default)."""
    return getattr(settings, name, DEFAULTS[name])
