import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_indonesian(client):
    html = client.get(reverse("public_status"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in html and "Cek Status Pengaduan" in html


def test_english_is_available_when_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("public_status")).content.decode()
    assert 'lang="en"' in html
