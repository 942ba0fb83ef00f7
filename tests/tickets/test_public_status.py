import pytest
from django.urls import reverse

from tests.cast import NIK, complaint, nik_with_serial
from tickets import services

pytestmark = pytest.mark.django_db
URL = reverse("public_status")


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def test_the_qr_link_prefills_the_code_but_never_asks_the_nik_in_the_url(client, ticket):
    response = client.get(URL, {"kode": ticket.code})
    assert response.status_code == 200
    assert f'value="{ticket.code}"' in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_right_nik_and_code_show_the_status(client, ticket):
    html = client.post(URL, {"nik": NIK, "kode": ticket.display_code}).content.decode()
    assert "Baru" in html and ticket.display_code in html
    assert NIK not in html and "Siti" not in html


@pytest.mark.parametrize("nik", [nik_with_serial(2), "12345"])
def test_a_wrong_nik_gets_the_same_neutral_answer(client, ticket, nik):
    html = client.post(URL, {"nik": nik, "kode": ticket.code}).content.decode()
    assert "Data tidak ditemukan" in html and ticket.display_code not in html
