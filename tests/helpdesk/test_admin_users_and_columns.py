"""The admin: one add form makes a clerk with their office, and column headers follow the language."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from desk.models import DailyStatusCount
from tests.cast import complaint, make_staff
from tickets import services
from tickets.models import StaffProfile
from tickets.permissions import COUNTER_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model, office):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    return client


def new_clerk_form(office, **overrides):
    data = {
        "username": "dewi",
        "usable_password": "true",
        "password1": "Loket-kudus-2026",
        "password2": "Loket-kudus-2026",
        "first_name": "Dewi",
        "last_name": "Lestari",
        "groups": [Group.objects.get(name=COUNTER_GROUP).pk],
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "0",
        "staff_profile-MIN_NUM_FORMS": "0",
        "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-office": office.pk,
    }
    data.update(overrides)
    return data


def test_the_user_add_form_asks_for_the_role_and_the_office(admin_client):
    html = admin_client.get(reverse("admin:auth_user_add")).content.decode()
    assert 'name="groups"' in html and 'name="staff_profile-0-office"' in html


def test_adding_a_clerk_in_the_admin_creates_their_staff_profile_in_the_same_form(admin_client, office):
    response = admin_client.post(reverse("admin:auth_user_add"), new_clerk_form(office))
    assert response.status_code == 302
    user = get_user_model().objects.get(username="dewi")
    assert StaffProfile.objects.get(user=user).office == office
    assert list(user.groups.values_list("name", flat=True)) == [COUNTER_GROUP]


def test_a_clerk_with_a_role_but_no_office_is_refused_with_everything_kept(admin_client, office):
    response = admin_client.post(
        reverse("admin:auth_user_add"), new_clerk_form(office, **{"staff_profile-0-office": ""})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pilih kantor untuk petugas yang diberi peran (grup)." in html
    assert 'value="dewi"' in html and 'value="Lestari"' in html
    assert not get_user_model().objects.filter(username="dewi").exists()


def test_an_account_without_a_role_needs_no_office(admin_client, office):
    data = new_clerk_form(office, groups=[], **{"staff_profile-0-office": ""})
    assert admin_client.post(reverse("admin:auth_user_add"), data).status_code == 302
    assert not StaffProfile.objects.filter(user__username="dewi").exists()


def test_the_user_list_with_offices_runs_a_constant_number_of_queries(admin_client, office):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("admin:auth_user_changelist")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(10):
        make_staff(f"petugas{n}", office, COUNTER_GROUP)
    assert queries() == few


def column_headers(html: str) -> list[str]:
    heads = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", h).strip() for h in heads if "action-checkbox" not in h]


@pytest.mark.parametrize(
    "model,english,indonesian",
    [
        ("tickets_ticket", ["Ticket code", "Office", "Status", "NIK", "Date received"], "Tanggal Masuk"),
        ("tickets_ticketevent", ["Ticket", "Time", "Kind", "From status", "To status", "Actor"], "Pelaku"),
        ("sync_syncjob", ["Ticket", "Stage", "Push attempts", "Checks", "Next attempt"], "Tahap"),
        ("tickets_staffprofile", ["User", "Office"], "Pengguna"),
        ("desk_dailystatuscount", ["Date", "Office", "Status", "Count"], "Jumlah"),
    ],
)
def test_admin_changelist_headers_follow_the_active_language(
    admin_client, office, clerk, model, english, indonesian
):
    services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    DailyStatusCount.objects.create(office=office, day=dt.date(2026, 12, 1), status="new", count=1)
    url = reverse(f"admin:{model}_changelist")
    assert indonesian in column_headers(admin_client.get(url).content.decode())
    admin_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    headers = column_headers(admin_client.get(url).content.decode())
    assert set(english) <= set(headers), headers
    assert indonesian not in headers
