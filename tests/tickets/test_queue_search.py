"""The queue's search: by name, by the NIK's last four digits within the office, by code or full NIK.

Always by POST (the box is personal data), echoed back as typed (except a full NIK), paginated."""

import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cast import NIK, complaint, nik_with_serial
from tickets import services

pytestmark = pytest.mark.django_db
URL = reverse("tickets:queue")


def open_named(office, clerk, names, start=1):
    return [
        services.open_ticket(
            office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(n), full_name=name)
        )
        for n, name in enumerate(names, start=start)
    ]


def listed_codes(response):
    return [ticket.code for ticket in response.context["page"]]


def test_a_name_search_finds_part_of_a_name_in_any_case(clerk_client, office, clerk):
    siti, budi, sitiana = open_named(office, clerk, ["Siti Rahayu", "Budi Santoso", "Sitiana Dewi"])
    response = clerk_client.post(URL, {"q": "  siTI  "})
    assert set(listed_codes(response)) == {siti.code, sitiana.code}
    assert budi.code not in listed_codes(response)


def test_a_name_search_with_two_words_squeezes_the_spaces_typed_between_them(clerk_client, office, clerk):
    siti, _budi = open_named(office, clerk, ["Siti Rahayu", "Budi Santoso"])
    assert listed_codes(clerk_client.post(URL, {"q": "siti   rahayu"})) == [siti.code]


def test_a_name_search_stays_within_the_users_office(clerk_client, office, clerk, other_office, other_clerk):
    mine = open_named(office, clerk, ["Siti Rahayu"])[0]
    open_named(other_office, other_clerk, ["Siti Aminah"], start=5)
    assert listed_codes(clerk_client.post(URL, {"q": "siti"})) == [mine.code]


def test_the_last_four_digits_of_the_nik_find_the_offices_tickets_only(
    clerk_client, office, clerk, other_office, other_clerk
):
    mine, _other = open_named(office, clerk, ["Siti Rahayu", "Budi Santoso"], start=41)
    elsewhere = services.open_ticket(
        office=other_office,
        created_by=other_clerk,
        complaint=complaint(nik="3374014101900041", full_name="Ani Lestari"),
    )
    codes = listed_codes(clerk_client.post(URL, {"q": "0041"}))
    assert codes == [mine.code] and elsewhere.code not in codes


def test_the_search_box_echoes_a_name_as_typed(clerk_client, office, clerk):
    open_named(office, clerk, ["Siti Rahayu"])
    html = clerk_client.post(URL, {"q": "siti rah"}).content.decode()
    assert 'value="siti rah"' in html
    assert "Hasil pencarian" in html


def test_the_search_box_does_not_echo_a_full_nik(clerk_client, office, clerk):
    open_named(office, clerk, ["Siti Rahayu"])
    response = clerk_client.post(URL, {"q": NIK})
    html = response.content.decode()
    assert NIK not in html and 'value=""' in html
    assert response["Cache-Control"] == "no-store"


def test_a_search_in_the_query_string_is_ignored_so_no_name_or_nik_sits_in_a_url(clerk_client, office, clerk):
    siti, budi = open_named(office, clerk, ["Siti Rahayu", "Budi Santoso"])
    response = clerk_client.get(URL, {"q": "budi"})
    assert set(listed_codes(response)) == {siti.code, budi.code}
    assert 'value="budi"' not in response.content.decode()


def test_a_hint_says_what_can_be_searched(clerk_client):
    html = clerk_client.get(URL).content.decode()
    assert 'aria-describedby="search-hint"' in html
    assert "nama pemohon (minimal 3 huruf), 4 digit terakhir NIK" in html


@pytest.mark.parametrize("typed", ["si", "12", "331901410190000"])
def test_a_search_too_short_to_mean_anything_gets_an_error_beside_the_box_and_keeps_it(clerk_client, typed):
    response = clerk_client.post(URL, {"q": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["q"] == [
        "Ketik minimal 3 huruf nama, 4 digit terakhir NIK, kode tiket (10 karakter), atau NIK lengkap (16 digit)."
    ]
    assert 'id="search-error"' in html and f'value="{typed}"' in html


def test_the_search_error_is_in_english_when_the_page_is(clerk_client):
    clerk_client.cookies["django_language"] = "en"
    html = clerk_client.post(URL, {"q": "si"}).content.decode()
    assert "Type at least 3 letters of a name" in html


def test_a_ten_letter_name_that_is_no_ticket_code_is_searched_as_a_name(clerk_client, office, clerk):
    target = open_named(office, clerk, ["Prasetyawan"])[0]
    assert listed_codes(clerk_client.post(URL, {"q": "rasetyawan"})) == [target.code]


def test_search_results_are_paginated_by_post(clerk_client, office, clerk, settings):
    settings.TICKETS_PER_PAGE = 2
    open_named(office, clerk, ["Siti A", "Siti B", "Siti C", "Budi"])
    first = clerk_client.post(URL, {"q": "siti"})
    second = clerk_client.post(URL, {"q": "siti", "page": "2"})
    assert first.context["paginator"].count == 3
    assert len(listed_codes(first)) == 2 and len(listed_codes(second)) == 1
    assert 'form="queue-search" name="page" value="2"' in first.content.decode()


def test_a_name_search_runs_the_same_number_of_queries_for_2_or_30_matches(
    clerk_client, office, clerk, settings
):
    settings.TICKETS_PER_PAGE = 50

    def queries_for_search():
        with CaptureQueriesContext(connection) as captured:
            assert clerk_client.post(URL, {"q": "siti"}).status_code == 200
        return len(captured)

    open_named(office, clerk, ["Siti 1", "Siti 2"])
    few = queries_for_search()
    open_named(office, clerk, [f"Siti {n}" for n in range(3, 31)], start=100)
    assert queries_for_search() == few


def test_a_last_four_search_runs_the_same_number_of_queries_for_1_or_20_matches(
    clerk_client, office, clerk, settings
):
    settings.TICKETS_PER_PAGE = 50

    def queries_for_search():
        with CaptureQueriesContext(connection) as captured:
            assert clerk_client.post(URL, {"q": "0001"}).status_code == 200
        return len(captured)

    services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    one = queries_for_search()
    for n in range(2, 21):  # same last four, other districts
        services.open_ticket(
            office=office, created_by=clerk, complaint=complaint(nik=f"3319{n:02d}4101900001")
        )
    assert queries_for_search() == one


def test_the_auto_refresh_of_a_search_posts_the_search_again_as_a_fragment(clerk_client, office, clerk):
    siti, _budi = open_named(office, clerk, ["Siti Rahayu", "Budi Santoso"])
    page = clerk_client.post(URL, {"q": "siti"}).content.decode()
    vals = re.search(r'hx-vals="([^"]*)"', page)
    assert 'hx-post="/tiket/"' in page and json.loads(html.unescape(vals.group(1)))["q"] == "siti"
    fragment = clerk_client.post(URL, {"q": "siti", "page": "1"}, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert re.findall(r'name="tickets" value="([^"]+)"', text) == [siti.code]
    assert text.startswith('<div id="queue-results"') and '<nav class="navbar' not in text


def test_a_full_nik_search_does_not_refresh_itself_so_the_nik_never_sits_in_the_page(
    clerk_client, office, clerk
):
    open_named(office, clerk, ["Siti Rahayu"])
    html = clerk_client.post(URL, {"q": NIK}).content.decode()
    assert "hx-trigger" not in html.split('id="queue-results"')[1].split(">")[0]


def test_the_queue_refreshes_itself_with_its_filters_and_page(clerk_client, office, clerk, settings):
    settings.TICKETS_PER_PAGE = 1
    open_named(office, clerk, ["Siti", "Budi"])
    html = clerk_client.get(URL, {"service": "sscasn", "mine": "on", "page": "2"}).content.decode()
    assert 'hx-get="/tiket/?service=sscasn&amp;mine=on&amp;page=2"' in html
    assert 'hx-trigger="every 30s"' in html


def test_a_search_matching_more_than_its_cap_says_so_and_asks_to_narrow_it(
    clerk_client, office, clerk, monkeypatch, settings
):
    from tickets import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    settings.TICKETS_PER_PAGE = 2
    open_named(office, clerk, [f"Siti {n}" for n in range(1, 6)])

    searched = clerk_client.post(URL, {"q": "siti"})
    listed = clerk_client.get(URL)

    text = html.unescape(searched.content.decode())
    assert searched.context["paginator"].count == 4 and searched.context["paginator"].is_capped
    assert "Lebih dari 3 tiket cocok; persempit pencarian" in text
    assert listed.context["paginator"].count == 5 and not listed.context["paginator"].is_capped
