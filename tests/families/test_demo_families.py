"""The demo's families (seed_demo_families): two groups that go to the centre as one KK update each."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from families.models import FamilyGroup, FamilyPush
from mockregistry.validation import validate_family_seed, validate_resident
from sync.models import SyncJob

pytestmark = pytest.mark.django_db


def test_the_demo_families_wait_as_family_pushes_and_their_centre_records_are_valid(
    settings, tmp_path, clerk
):
    settings.DEMO_MODE = True  # the cast's office and clerk are the demo's (Kudus, "petugas")
    out = tmp_path / "families.json"
    call_command("seed_demo_families", out=str(out), stdout=open("/dev/null", "w"))
    call_command("seed_demo_families", out=str(out), stdout=open("/dev/null", "w"))  # nothing twice

    assert FamilyGroup.objects.count() == 2
    assert set(FamilyPush.objects.values_list("state", flat=True)) == {FamilyPush.State.PENDING}
    assert SyncJob.objects.filter(state=SyncJob.State.HELD).count() == 6
    records = json.loads(out.read_text())
    assert len(records["residents"]) == 6
    assert all(validate_resident(r, today=dt.date.today())[1] == {} for r in records["residents"])
    assert all(validate_family_seed(card)[1] == {} for card in records["families"])
    applied, refused = records["families"]
    assert len(applied["members"]) == 3 and len(refused["members"]) == 2  # the son is not on the card


def test_the_demo_families_need_the_demo(settings):
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_families", out="/dev/null")
