"""Round two, finding 12 (third part): ten look-ups of one NIK blocked that person's status checks
for ten minutes, whoever made them. Now the per-NIK limit counts only *failed* look-ups: the
citizen checking her own ticket never uses it up; guessing codes for her NIK still does. The
per-IP limit still counts every look-up."""

import json

import pytest
from django.urls import reverse

from tests.cast import NIK, complaint
from tickets import services

pytestmark = pytest.mark.django_db
URL = reverse("public_status")
JSON_URL = reverse("public_status_json")
WRONG_CODE = "ABCDEFGHJK"


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


@pytest.fixture
def tight_nik_limit(settings):
    settings.STATUS_RATE_PER_NIK = "2/1000000000"
    settings.STATUS_RATE_PER_IP = "1000/1000000000"


def look_up(client, code, n):
    return client.post(URL, {"nik": NIK, "kode": code}, REMOTE_ADDR=f"10.0.0.{n}")


def test_the_citizen_checking_her_own_ticket_again_and_again_is_never_blocked(
    client, ticket, tight_nik_limit
):
    answers = [look_up(client, ticket.code, n) for n in range(1, 8)]
    assert [a.status_code for a in answers] == [200] * 7
    assert all(ticket.display_code in a.content.decode() for a in answers)


def test_failed_look_ups_for_one_nik_from_many_addresses_are_still_limited(client, ticket, tight_nik_limit):
    assert [look_up(client, WRONG_CODE, n).status_code for n in (1, 2)] == [200, 200]
    refused = look_up(client, ticket.code, 3)
    assert refused.status_code == 429 and ticket.display_code not in refused.content.decode()


def test_successful_look_ups_do_not_count_towards_the_failures(client, ticket, tight_nik_limit):
    for n in range(1, 6):
        look_up(client, ticket.code, n)
    assert look_up(client, WRONG_CODE, 6).status_code == 200
    assert look_up(client, ticket.code, 7).status_code == 200


def test_the_per_address_limit_still_counts_every_look_up(client, ticket, settings):
    settings.STATUS_RATE_PER_IP = "3/1000000000"
    codes = [client.post(URL, {"nik": NIK, "kode": ticket.code}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_json_endpoint_counts_only_failures_for_the_nik_too(client, ticket, tight_nik_limit):
    def post(code, n):
        body = json.dumps({"nik": NIK, "kode": code})
        return client.post(JSON_URL, body, content_type="application/json", REMOTE_ADDR=f"10.1.0.{n}")

    assert [post(ticket.code, n).status_code for n in range(1, 5)] == [200] * 4
    assert [post(WRONG_CODE, n).status_code for n in (5, 6, 7)] == [200, 200, 429]
