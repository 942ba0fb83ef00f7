"""Round two, finding 5: the JSON status endpoint refuses big bodies before parsing them, and
every malformed body is a 400 with a reason, never a 500 (a 35 KB nested body raised
RecursionError in json.loads)."""

import pytest
from django.urls import reverse

from tests.cast import NIK, complaint
from tickets import services

pytestmark = pytest.mark.django_db
URL = reverse("public_status_json")


def post(client, body: bytes, **extra):
    return client.post(URL, data=body, content_type="application/json", **extra)


def test_a_35_kb_body_of_nested_objects_is_refused_as_too_large_before_parsing(client):
    response = post(client, b'{"a":' * 7000 + b"1" + b"}" * 7000)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large" and "terlalu besar" in response.json()["message"]


def test_nesting_deep_enough_to_overflow_the_parser_within_the_limit_is_a_400(client):
    response = post(client, b"[" * 2000)
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"


@pytest.mark.parametrize(
    "body",
    [b'{"nik": [[[[[[[[[[]]]]]]]]]], "kode": {"a": {"b": {}}}}', b"null", b'"text"', b"\xff\xfe", b"{"],
    ids=["nested-values", "null", "a-string", "not-utf8", "truncated"],
)
def test_any_malformed_or_non_object_body_is_a_400_with_a_reason(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["error"] in ("invalid_json", "invalid")


def test_a_field_that_is_not_text_gets_its_own_error(client):
    response = post(client, b'{"nik": {"a": {"b": 1}}, "kode": "ABCDE-FGHJK"}')
    assert response.status_code == 400
    assert response.json() == {"error": "invalid", "fields": {"nik": ["Isi berupa teks."]}}


def test_a_normal_lookup_just_under_the_limit_still_answers(client, office, clerk):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    body = f'{{"nik": "{NIK}", "kode": "{ticket.code}", "pad": "{"x" * 1900}"}}'.encode()
    assert len(body) < 2048
    assert post(client, body).json()["found"] is True
