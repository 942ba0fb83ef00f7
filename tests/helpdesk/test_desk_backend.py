"""helpdesk.backends.DeskBackend: the signed-in user, profile, office, groups and permissions in two
queries, the same answers as Django's ModelBackend, and nothing kept from one request to the next."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.scoping import scope_of
from helpdesk.backends import DeskBackend
from tickets.permissions import SUPERVISOR_GROUP, is_staff_member, is_supervisor

pytestmark = pytest.mark.django_db


def test_the_user_and_everything_a_page_asks_of_them_take_two_queries(supervisor, office):
    with CaptureQueriesContext(connection) as captured:
        user = DeskBackend().get_user(supervisor.pk)
        assert is_supervisor(user) and is_staff_member(user)
        assert user.has_perm("tickets.add_ticket") and not user.has_perm("tickets.view_all_offices")
        assert scope_of(user).office == office and scope_of(user).office_ids == {office.pk}
    assert len(captured) == 2


@pytest.mark.parametrize("who", ["clerk", "supervisor", "province_supervisor", "national_reader"])
def test_the_permissions_are_those_django_reads_itself(who, request):
    user = request.getfixturevalue(who)
    user.user_permissions.add(Permission.objects.get(codename="view_citizen"))
    fresh = ModelBackend().get_user(user.pk)
    loaded = DeskBackend().get_user(user.pk)
    assert loaded.get_all_permissions() == fresh.get_all_permissions()
    assert loaded.get_group_permissions() == fresh.get_group_permissions()
    assert loaded.get_user_permissions() == fresh.get_user_permissions() == {"citizens.view_citizen"}
    assert set(loaded.groups.values_list("name", flat=True)) == {g.name for g in fresh.groups.all()}


def test_a_superuser_keeps_every_permission(django_user_model):
    admin = django_user_model.objects.create_superuser("akar", password="x")
    loaded = DeskBackend().get_user(admin.pk)
    assert loaded.has_perm("tickets.view_all_offices") and scope_of(loaded).sees_all
    assert loaded.get_all_permissions() == ModelBackend().get_user(admin.pk).get_all_permissions()


def test_an_inactive_or_missing_user_is_nobody(clerk):
    clerk.is_active = False
    clerk.save()
    assert DeskBackend().get_user(clerk.pk) is None
    assert DeskBackend().get_user(987654) is None


def test_a_role_taken_away_applies_to_the_very_next_page(supervisor_client, supervisor):
    assert supervisor_client.get(reverse("dashboard:index")).status_code == 200
    supervisor.groups.remove(Group.objects.get(name=SUPERVISOR_GROUP))
    assert supervisor_client.get(reverse("dashboard:index")).status_code == 403


def test_a_staff_user_without_a_profile_has_no_office(django_user_model):
    user = django_user_model.objects.create_user("tanpa_kantor", password="x")
    loaded = DeskBackend().get_user(user.pk)
    assert scope_of(loaded).home_id is None and not is_staff_member(loaded)
