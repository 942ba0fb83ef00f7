"""The login page's wording: one clear sentence for a wrong password, in the active language."""

import pytest
from django.urls import reverse

from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_wrong_password_is_answered_in_plain_indonesian(client, clerk):
    response = client.post(reverse("login"), {"username": "petugas", "password": "salah"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah." in html
    assert "nama pengguna nama pengguna" not in html.lower()
    assert 'value="petugas"' in html  # what was typed stays


def test_a_wrong_password_is_answered_in_english_in_english_mode(client, clerk):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.post(reverse("login"), {"username": "petugas", "password": "salah"}).content.decode()
    assert "Wrong username or password." in html and "kata sandi salah" not in html


def test_an_inactive_account_gets_the_same_answer_as_a_wrong_password(client, clerk):
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    html = client.post(reverse("login"), {"username": "petugas", "password": PASSWORD}).content.decode()
    assert "Nama pengguna atau kata sandi salah." in html  # says nothing of the account


def test_the_right_password_still_logs_in(client, clerk):
    response = client.post(reverse("login"), {"username": "petugas", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("tickets:queue")
