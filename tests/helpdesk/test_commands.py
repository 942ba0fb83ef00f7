import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from citizens.models import Region
from tickets.models import Ticket
from tickets.workflow import Status

pytestmark = pytest.mark.django_db


def test_loading_regions_twice_leaves_one_copy_of_the_official_list():
    call_command("load_regions", stdout=open("/dev/null", "w"))
    call_command("load_regions", stdout=open("/dev/null", "w"))
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 38
    assert Region.objects.filter(level=Region.Level.REGENCY).count() == 514
    assert Region.objects.get(code="33.19").name == "Kabupaten Kudus"
    assert Region.objects.filter(parent_id="33.19").count() == 9


def test_the_demo_has_its_logins_and_tickets_in_every_state(settings, tmp_path):
    settings.DEMO_MODE = True
    residents = tmp_path / "residents.json"
    call_command("seed_demo", residents_file=str(residents), stdout=open("/dev/null", "w"))
    call_command("seed_demo", residents_file=str(residents), stdout=open("/dev/null", "w"))
    users = get_user_model().objects.filter(username__in=["petugas", "supervisor", "admin"])
    assert users.count() == 3
    assert all(user.check_password(settings.DEMO_PASSWORD) for user in users)
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert Ticket.objects.count() == 36
    assert residents.read_text().count('"nik"') == 36


def test_the_demo_refuses_to_run_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()
