"""manage.py rotate_keys: every encrypted column re-encrypted under the newest key, in batches."""

import io

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEntry
from citizens import rotation
from citizens.models import Citizen, FamilyCard
from sync.models import SyncJob
from tests.audit.helpers import SIXTEEN_DIGITS
from tests.cast import KK_NEW, KK_OLD, NIK, complaint, nik_with_serial
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))
EXPECTED_COLUMNS = {
    "citizens.citizen.nik",
    "citizens.citizen.phone",
    "citizens.citizen.email",
    "citizens.familycard.kk_number",
    "tickets.ticket.kk_number",
    "tickets.ticket.kk_number_old",
    "sync.syncjob.payload_json",
}


def raw_tokens() -> dict[tuple[str, int], str]:
    """Return every stored token of every encrypted column, as the database holds it."""
    tokens = {}
    with connection.cursor() as cursor:
        for model, fields in rotation.encrypted_columns():
            for field in fields:
                meta = model._meta
                cursor.execute(f'SELECT "{meta.pk.column}", "{field.column}" FROM "{meta.db_table}"')
                for pk, token in cursor.fetchall():
                    if token:
                        tokens[(rotation.column_label(model, field), pk)] = token
    return tokens


def readable_with(keys) -> list[str]:
    """Return every encrypted value, decrypted with `keys` alone (raises if one cannot be)."""
    fernet = MultiFernet([Fernet(key.encode()) for key in keys])
    return sorted(fernet.decrypt(token.encode()).decode() for token in raw_tokens().values())


def rotate(*args) -> str:
    out = io.StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def written_under_a(settings, office, clerk):
    """Two citizens with tickets (and their sync jobs), all written under key A."""
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    for serial in (1, 2):
        services.open_ticket(
            office=office,
            created_by=clerk,
            complaint=complaint(nik=nik_with_serial(serial), email=f"warga{serial}@example.org"),
        )
    assert SyncJob.objects.count() == 2
    return readable_with([KEY_A])


def test_every_encrypted_column_is_found_by_introspection():
    found = {
        rotation.column_label(model, field)
        for model, fields in rotation.encrypted_columns()
        for field in fields
    }
    assert EXPECTED_COLUMNS <= found


def test_with_the_new_key_first_old_data_still_reads(settings, written_under_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    citizen = Citizen.objects.get(nik_last4="0001")
    assert (citizen.nik, citizen.phone) == (nik_with_serial(1), "+6281234567890")
    assert Ticket.objects.filter(citizen=citizen).get().kk_number_old == KK_OLD
    assert FamilyCard.objects.get().kk_number == KK_NEW
    assert SyncJob.objects.filter(ticket__citizen=citizen).get().payload["nik"] == nik_with_serial(1)


def test_rotation_re_encrypts_every_value_under_the_newest_key(settings, written_under_a):
    before = raw_tokens()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    output = rotate("--batch-size", "1")
    after = raw_tokens()
    assert after.keys() == before.keys()
    assert all(after[key] != before[key] for key in before), "every stored token changed"
    assert readable_with([KEY_B]) == written_under_a  # the old key is no longer needed
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert Citizen.objects.with_nik(NIK).get().email == "warga1@example.org"
    assert f"Done: re-encrypted {len(before)} value(s); 0 already current." in output


def test_the_run_is_audited_with_counts_only(settings, written_under_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    rotate()
    [entry] = AuditEntry.objects.filter(action="key_rotation")
    assert entry.actor is None and entry.actor_label == "manage.py rotate_keys"
    assert entry.details["encryption"]["rotated"] == len(raw_tokens())
    assert entry.details["encryption"]["columns"]["citizens.citizen.nik"]["rotated"] == 2
    text = str(entry.details)
    assert not SIXTEEN_DIGITS.search(text) and "gAAAA" not in text  # no numbers, no tokens


def test_a_second_run_changes_nothing(settings, written_under_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    rotate()
    rotated = raw_tokens()
    output = rotate()
    assert raw_tokens() == rotated
    assert f"Done: re-encrypted 0 value(s); {len(rotated)} already current." in output


def test_a_dry_run_counts_and_changes_nothing(settings, written_under_a):
    before = raw_tokens()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    output = rotate("--dry-run")
    assert raw_tokens() == before
    assert "citizens.citizen.nik: would re-encrypt 2, already current 0" in output
    assert not AuditEntry.objects.exists()


def test_a_value_no_key_can_read_is_reported_and_left_alone(settings, written_under_a):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_C]
    Citizen.objects.filter(nik_last4="0002").update(email="under-c@example.org")  # now under key C
    before = raw_tokens()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    with pytest.raises(CommandError, match="1 value.*cannot be decrypted"):
        rotate()
    after = raw_tokens()
    unreadable = [key for key in before if key[0] == "citizens.citizen.email" and after[key] == before[key]]
    assert len(unreadable) == 1


class TestRehash:
    def test_after_a_new_lookup_key_the_digests_are_recomputed(self, settings, written_under_a):
        settings.FIELD_HMAC_KEY = "a-new-lookup-key"
        assert not Citizen.objects.with_nik(NIK).exists()  # the old digests no longer match
        output = rotate("--rehash")
        assert "citizens.citizen.nik_digest: rehashed 2, already current 0" in output
        assert Citizen.objects.with_nik(NIK).exists() and FamilyCard.objects.with_number(KK_NEW).exists()
        assert "rehashed 0, already current 2" in rotate("--rehash")
        [first, second] = AuditEntry.objects.filter(action="key_rotation").order_by("sequence")
        assert first.details["digests"]["citizens.citizen.nik_digest"]["rehashed"] == 2

    def test_a_dry_run_rehashes_nothing(self, settings, written_under_a):
        settings.FIELD_HMAC_KEY = "a-new-lookup-key"
        rotate("--rehash", "--dry-run")
        assert not Citizen.objects.with_nik(NIK).exists()

    def test_erased_numbers_are_skipped(self, settings, written_under_a):
        Citizen.objects.filter(nik_last4="0002").update(nik="", nik_digest="purged-x")
        settings.FIELD_HMAC_KEY = "a-new-lookup-key"
        assert "rehashed 1, already current 0, erased 1" in rotate("--rehash")
        assert Citizen.objects.get(nik_last4="0002").nik_digest == "purged-x"
