"""Security round two, finding 10: the admin lists that find people by NIK search by POST. The
NIK never enters a URL (nor the session in clear); a NIK sent the old way, `GET ?q=`, is not
searched."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.cast import NIK, complaint, nik_with_serial
from tickets import services

pytestmark = pytest.mark.django_db

CITIZENS = reverse("admin:citizens_citizen_changelist")
TICKETS = reverse("admin:tickets_ticket_changelist")
SPACED = "3319 0141 0190 0001"


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("notifications.tasks.send_notification.apply_async", lambda *a, **k: None)
    monkeypatch.setattr("sync.tasks.nudge", lambda *args, **kwargs: None)


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    return client


@pytest.fixture
def tickets(office, clerk):
    return [
        services.open_ticket(
            office=office,
            created_by=clerk,
            complaint=complaint(nik=nik_with_serial(n), full_name=f"Warga Nomor {n}"),
        )
        for n in range(1, 4)
    ]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def test_a_nik_searched_in_the_citizen_list_never_enters_the_url(admin_client, tickets):
    response = admin_client.post(CITIZENS, {"q": SPACED, "_post_search": "1"})
    assert response.status_code == 302
    assert NIK not in _digits(response["Location"]) and "?cari=" in response["Location"]
    page = admin_client.get(response["Location"])
    assert [c.pk for c in page.context["cl"].result_list] == [tickets[0].citizen_id]
    assert NIK not in page.content.decode() and "************0001" in page.content.decode()


def test_the_session_keeps_the_searched_nik_only_as_its_digest(admin_client, tickets):
    admin_client.post(CITIZENS, {"q": NIK, "_post_search": "1"})
    (session,) = Session.objects.all()
    assert NIK not in str(session.get_decoded()) and NIK not in session.session_data


def test_a_nik_in_the_query_string_is_not_searched(admin_client, tickets):
    response = admin_client.get(CITIZENS, {"q": SPACED}, follow=True)
    assert response.redirect_chain == [(CITIZENS, 302)]
    assert len(response.context["cl"].result_list) == 3, "the whole list, unfiltered"
    assert "NIK tidak dicari lewat alamat halaman" in response.content.decode()


def test_the_search_form_is_a_post_form(admin_client, tickets):
    html = admin_client.get(CITIZENS).content.decode()
    assert '<form id="changelist-search" method="post" role="search">' in html
    assert 'name="csrfmiddlewaretoken"' in html.split('id="changelist-search"')[1].split("</form>")[0]


def test_a_searched_list_keeps_its_filters_and_its_search_across_pages(admin_client, tickets):
    response = admin_client.post(CITIZENS + "?sex__exact=P", {"q": NIK, "_post_search": "1"})
    location = response["Location"]
    assert "sex__exact=P" in location and "cari=" in location
    page = admin_client.get(location)
    assert page.context["cl"].get_query_string({"p": 1}).count("cari=") == 1


def test_an_unknown_search_token_shows_the_list_again_with_a_message(admin_client, tickets):
    response = admin_client.get(CITIZENS, {"cari": "tidak-ada"}, follow=True)
    assert response.redirect_chain == [(CITIZENS, 302)]
    assert "Pencarian ini sudah tidak berlaku" in response.content.decode()


def test_a_name_is_still_found_by_post(admin_client, tickets):
    page = admin_client.post(CITIZENS, {"q": "Warga Nomor 2", "_post_search": "1"}, follow=True)
    assert [c.pk for c in page.context["cl"].result_list] == [tickets[1].citizen_id]


def test_an_empty_search_shows_the_whole_list(admin_client, tickets):
    page = admin_client.post(CITIZENS, {"q": "  ", "_post_search": "1"}, follow=True)
    assert page.redirect_chain == [(CITIZENS, 302)] and len(page.context["cl"].result_list) == 3


def test_tickets_are_found_by_nik_and_by_code_through_the_post_search(admin_client, tickets):
    page = admin_client.post(TICKETS, {"q": SPACED, "_post_search": "1"}, follow=True)
    assert NIK not in _digits(page.redirect_chain[0][0])
    assert [t.pk for t in page.context["cl"].result_list] == [tickets[0].pk]
    page = admin_client.post(TICKETS, {"q": tickets[1].display_code, "_post_search": "1"}, follow=True)
    assert [t.pk for t in page.context["cl"].result_list] == [tickets[1].pk]


def test_a_nik_in_the_ticket_lists_query_string_is_not_searched(admin_client, tickets):
    response = admin_client.get(TICKETS, {"q": NIK})
    assert response.status_code == 302 and response["Location"] == TICKETS
