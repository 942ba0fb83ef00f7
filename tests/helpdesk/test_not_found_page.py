"""The project's 404 page shows even with DEBUG on (the demo); Django's technical page on request."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MISSING = "/tidak-ada-halaman-ini/"


@pytest.fixture(autouse=True)
def debug_on(settings):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_404 = False


def test_an_unknown_address_shows_the_projects_404_page_in_debug(client):
    response = client.get(MISSING)
    html = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in html and "Kembali ke beranda" in html
    assert "URLconf" not in html and "Using the URLconf" not in html


def test_a_view_raising_not_found_shows_the_projects_404_page_in_debug(clerk_client):
    response = clerk_client.get(reverse("tickets:detail", args=["ZZZZZZZZ"]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in html and "Raised by:" not in html


def test_the_404_page_is_english_in_english_mode(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(MISSING).content.decode()
    assert "Page not found" in html and "Halaman tidak ditemukan" not in html


@pytest.mark.urls("tests.helpdesk.not_found_urls")
def test_a_view_answering_404_itself_keeps_its_own_answer(client):
    response = client.get("/api-test/missing")
    assert response.status_code == 404 and response.json() == {"error": "not_found"}


def test_the_technical_page_comes_back_when_asked_for(client, settings):
    settings.DEBUG_TECHNICAL_404 = True
    html = client.get(MISSING).content.decode()
    assert "URLconf" in html


def test_a_missing_trailing_slash_still_redirects(client):
    response = client.get("/cek-status")
    assert response.status_code == 301 and response["Location"] == "/cek-status/"
