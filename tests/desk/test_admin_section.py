"""The desk's one model sits in the admin under the desk's name, in the reader's language."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    return client


def test_the_daily_counts_are_listed_under_the_supervisors_desk_in_indonesian(admin_client):
    html = admin_client.get(reverse("admin:app_list", args=["desk"])).content.decode()
    assert "Meja supervisor" in html and "Rekap status harian" in html


def test_the_desk_section_is_named_in_english_after_choosing_english(admin_client):
    admin_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = admin_client.get(reverse("admin:app_list", args=["desk"])).content.decode()
    assert "Supervisor&#x27;s desk" in html or "Supervisor's desk" in html
    assert "Meja supervisor" not in html
