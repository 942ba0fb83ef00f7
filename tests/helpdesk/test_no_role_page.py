"""An account with no desk role is refused with a page that names the roles to ask the admin for."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.cast import PASSWORD
from tickets.permissions import SUPERVISOR_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def roleless(db):
    return get_user_model().objects.create_user("baru", password=PASSWORD)


def test_logging_in_without_a_role_shows_the_page_naming_the_roles(client, roleless):
    response = client.post(reverse("login"), {"username": "baru", "password": PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("tickets:queue")
    assert response.status_code == 403
    assert "Akun Anda belum punya peran" in html
    assert "<strong>Petugas Loket</strong>" in html and "<strong>Supervisor</strong>" in html
    assert "admin" in html and f'action="{reverse("logout")}"' in html


@pytest.mark.parametrize("name", ["tickets:queue", "tickets:intake", "dashboard:index", "escalation:desk"])
def test_every_desk_page_refuses_an_account_without_a_role_with_that_page(client, roleless, name):
    client.force_login(roleless)
    response = client.get(reverse(name))
    assert response.status_code == 403 and "Akun Anda belum punya peran" in response.content.decode()


def test_the_page_is_english_in_english_mode(client, roleless):
    client.force_login(roleless)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("tickets:queue")).content.decode()
    assert "Your account has no role yet" in html and "Ask your office" in html


def test_a_clerk_opening_a_supervisor_page_is_refused_without_that_page(clerk_client):
    response = clerk_client.get(reverse("dashboard:index"))
    assert response.status_code == 403 and "belum punya peran" not in response.content.decode()


def test_a_supervisor_without_an_office_is_told_why_they_are_refused(client, office):
    user = get_user_model().objects.create_user("tanpa_kantor", password=PASSWORD)
    user.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    client.force_login(user)
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 403
    assert "Akun ini belum terdaftar pada kantor mana pun." in response.content.decode()


def test_a_refusal_without_a_reason_shows_the_general_sentence(clerk_client):
    html = clerk_client.get(reverse("dashboard:index")).content.decode()
    assert "Anda tidak memiliki izin untuk membuka halaman ini." in html
