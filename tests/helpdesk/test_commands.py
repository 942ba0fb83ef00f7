import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

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
    users = get_user_model().objects.filter(username__in=["petugas", "supervisor", "admin", "provinsi"])
    assert users.count() == 4
    assert all(user.check_password(settings.DEMO_PASSWORD) for user in users)
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert Ticket.objects.filter(office__code="3319").count() == 53
    assert Ticket.objects.filter(office__code="3318").count() == 13
    blocks = Ticket.objects.filter(status=Status.ACTION_NEEDED).values_list("centre_block", flat=True)
    assert sorted(blocks) == ["documents_required", "nik_blocked", "nik_duplicate", "nik_inactive"]
    assert residents.read_text().count('"nik"') == 62
    resolved = Ticket.objects.filter(status=Status.RESOLVED)
    assert resolved.filter(portal_seen_at__isnull=False).exists()  # resolved by the portal
    assert resolved.filter(portal_window_passed_at__isnull=False).exists()  # and at its window's end


def test_the_demos_provincial_supervisor_sees_two_offices_in_the_roll_up(settings, tmp_path, client):
    settings.DEMO_MODE = True
    call_command("seed_demo", residents_file=str(tmp_path / "r.json"), stdout=open("/dev/null", "w"))
    client.force_login(get_user_model().objects.get(username="provinsi"))
    html = client.get(reverse("offices:rollup")).content.decode()
    assert html.count('data-office="') == 2 and "Kabupaten Pati" in html and "Kabupaten Kudus" in html


@pytest.mark.parametrize("scale", [1, 1440])
def test_the_demo_is_aged_in_demo_time_so_its_figures_look_like_a_real_offices(settings, tmp_path, scale):
    from desk.models import DailyStatusCount
    from desk.selectors import dashboard as selectors
    from desk.selectors.dashboard import Period
    from tickets.models import Office
    from tickets.sla import sla_delta

    settings.DEMO_MODE, settings.DEMO_TIME_SCALE = True, scale
    call_command("seed_demo", residents_file=str(tmp_path / "r.json"), stdout=open("/dev/null", "w"))
    office, now, day = Office.objects.get(code="3319"), timezone.now(), sla_delta()
    figures = selectors.headline(office, Period.last_days(7))
    assert figures["resolved"] == 24 and 75 <= figures["sla_percent"] <= 90  # most within the SLA
    assert figures["escalations_open"] == 3 and figures["open_by_status"]["new"] == 5
    sent = Ticket.objects.filter(status=Status.SENT, office=office)
    assert sent.filter(due_at__lt=now).count() == 2 and sent.filter(due_at__gte=now).count() == 7
    for ticket in Ticket.objects.filter(office=office).exclude(sent_at=None):
        assert ticket.created_at < ticket.sent_at < now and ticket.due_at == ticket.created_at + day
        assert ticket.centre_due_at == ticket.sent_at + day
    for ticket in Ticket.objects.exclude(centre_applied_at=None):
        assert ticket.sent_at < ticket.centre_applied_at <= (ticket.resolved_at or now)
    resolved = Ticket.objects.filter(status=Status.RESOLVED, office=office)
    assert all(t.sent_at < t.resolved_at < now for t in resolved)
    oldest = min(t.resolved_at for t in resolved)
    assert now - 6 * day < oldest < now - 3 * day  # spread over the demo's days, not all "now"
    assert day / 4 < figures["median_to_resolve"] < day < figures["p90_to_resolve"] < 2 * day
    if scale == 1:  # a week of history: the chart of open tickets per status has past days
        assert DailyStatusCount.objects.filter(office=office).values("day").distinct().count() == 6
        assert sum(DailyStatusCount.objects.values_list("count", flat=True)) > 0


def test_the_demo_refuses_to_run_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()
