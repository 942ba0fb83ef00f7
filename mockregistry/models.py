"""The mock registry's data: residents as the centre sees them, pushed updates, and its own controls."""

import uuid

from django.db import models


class Resident(models.Model):
    """One person as the centre currently records them."""

    class Sex(models.TextChoices):
        MALE = "L", "Laki-laki"
        FEMALE = "P", "Perempuan"

    class State(models.TextChoices):
        """Persistent states: no resync clears them, only a specific action does."""

        ACTIVE = "active"
        DUPLICATE = "duplicate"  # NIK ganda: a duplicate biometric recording, deleted centrally
        BLOCKED = "blocked"  # no KTP-el recording
        INACTIVE = "inactive"  # nonaktif: unused > 10 years, reactivated at the office

    nik = models.CharField(max_length=16, primary_key=True)
    kk_number = models.CharField(max_length=16)
    full_name = models.CharField(max_length=120)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    region_code = models.CharField(max_length=16, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self):
        return f"Resident ****{self.nik[-4:]}"


class ResidentVersion(models.Model):
    """A resident's data as it stood from `applied_at`, and when each consumer portal sees it."""

    nik = models.CharField(max_length=16)
    data = models.JSONField()
    applied_at = models.DateTimeField()
    portal_lags = models.JSONField(default=dict)  # {portal code: seconds after applied_at}

    class Meta:
        indexes = [models.Index(fields=["nik", "-applied_at"], name="mockreg_version_nik")]


class FamilyCard(models.Model):
    """A KK as the centre records it: its head of family; its members are FamilyMember rows."""

    kk_number = models.CharField(max_length=16, primary_key=True)
    head_nik = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self):
        return f"FamilyCard ****{self.kk_number[-4:]}"


class FamilyMember(models.Model):
    """One person on a family card; a person is on one card at a time."""

    card = models.ForeignKey(FamilyCard, on_delete=models.CASCADE, related_name="members")
    nik = models.CharField(max_length=16, unique=True)


class Update(models.Model):
    """A change pushed by an office. Its fate is decided when it is accepted and stored here."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted"
        APPLIED = "applied"
        REJECTED = "rejected"

    class Outcome(models.TextChoices):
        APPLY = "apply"
        STUCK = "stuck"  # never due until expedited
        REJECT = "reject"

    class Kind(models.TextChoices):
        RESIDENT = "resident"
        FAMILY = "family"  # one KK, all its members at once; `nik` is the head's

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RESIDENT)
    kk_number = models.CharField(max_length=16, blank=True, db_index=True)  # family updates only
    # The database, not a check-then-insert, guarantees one update per key.
    idempotency_key = models.CharField(max_length=255, unique=True)
    nik = models.CharField(max_length=16, db_index=True)
    payload = models.JSONField()
    reference = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    reason_code = models.CharField(max_length=32, blank=True)
    accepted_at = models.DateTimeField()
    expected_by = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    expedited_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # How many times this update was written to the resident: anything but 0 or 1 is a defect.
    apply_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"], name="mockreg_update_due")]

    def __str__(self):
        return f"Update {self.id} ({self.status})"

    def is_due(self, now) -> bool:
        """Tell whether this update is still pending and its time has come."""
        return self.status == self.Status.ACCEPTED and self.due_at is not None and self.due_at <= now


class IdempotencyRecord(models.Model):
    """An Idempotency-Key seen on a PUT: who holds it, the body it came with, the answer given."""

    key = models.CharField(max_length=255, primary_key=True)
    body_hash = models.CharField(max_length=64)
    claim_token = models.UUIDField()
    claimed_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)


class ControlState(models.Model):
    """The one row of run-time overrides (faults, behaviour), shared by every worker process."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID)
    faults = models.JSONField(default=dict)
    behaviour = models.JSONField(default=dict)
    # The registry's clock runs this far ahead of the wall clock (tests advance it: no sleeps).
    clock_offset_seconds = models.FloatField(default=0.0)
    stats_since = models.DateTimeField()
    updated_at = models.DateTimeField()


class RequestRecord(models.Model):
    """One API call, kept for /_control/stats. Holds the route name, never the path (it has a NIK)."""

    at = models.DateTimeField()
    method = models.CharField(max_length=8)
    endpoint = models.CharField(max_length=32)
    status = models.CharField(max_length=8)  # the HTTP status, or "dropped"
    duplicate = models.CharField(max_length=32, blank=True)  # why a used key created no update


class RateWindow(models.Model):
    """Calls counted in one wall-clock second, for the shared rate limit."""

    epoch_second = models.BigIntegerField(primary_key=True)
    hits = models.PositiveIntegerField(default=0)
