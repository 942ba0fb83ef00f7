import pytest
from django.urls import reverse

from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = reverse("tickets:intake")


def form_data(**overrides):
    data = {
        "nik": NIK,
        "full_name": "Siti Rahayu",
        "birth_date": "1990-01-01",
        "sex": "P",
        "phone": "0812-3456-7890",
        "kk_number": KK_NEW,
        "kk_number_old": KK_OLD,
        "category": "new_kk",
        "service": "sscasn",
        "deadline": "",
        "description": "SSCASN menolak NIK dan KK.",
    }
    data.update(overrides)
    return data


def test_the_intake_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_user_outside_the_desk_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("outsider", password="x"))
    assert client.get(URL).status_code == 403


def test_a_valid_complaint_opens_a_ticket_and_shows_it(clerk_client, clerk):
    response = clerk_client.post(URL, form_data())
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", args=[ticket.code])
    assert ticket.citizen.phone == "+6281234567890"
    assert ticket.kk_number_old == KK_OLD
    assert ticket.created_by == clerk


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("nik", "331901410190001", "NIK harus terdiri dari 16 digit angka."),
        ("nik", "9919014101900001", "Kode provinsi tidak dikenal."),
        ("nik", "3319013102900001", "Tanggal lahir pada NIK tidak valid."),
        ("nik", "3319014101900000", "Nomor urut NIK tidak boleh 0000."),
        ("nik", "３３１９０１４１０１９００００１", "NIK harus terdiri dari 16 digit angka."),
        ("kk_number", "33190115032600", "Nomor KK harus terdiri dari 16 digit angka."),
        ("kk_number_old", KK_NEW, "Nomor KK lama sama dengan Nomor KK sekarang."),
        ("phone", "12345", "Nomor harus diawali 0, 62, atau +62."),
        ("birth_date", "2999-01-01", "Tanggal lahir tidak boleh di masa depan."),
        ("birth_date", "31/02/1990", "Masukkan tanggal yang valid."),
        ("deadline", "2000-01-01", "Batas waktu sudah lewat."),
        ("full_name", "   ", "Bidang ini tidak boleh kosong."),
        ("category", "bogus", "Masukkan pilihan yang valid."),
    ],
)
def test_bad_input_gets_an_indonesian_error_beside_its_field_and_keeps_what_was_typed(
    clerk_client, field, value, message
):
    response = clerk_client.post(URL, form_data(**{field: value}))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert "SSCASN menolak NIK dan KK." in html
    assert field == "full_name" or 'value="Siti Rahayu"' in html
    assert not Ticket.objects.exists()


def test_an_error_message_never_repeats_the_number(clerk_client):
    bad = "3319013102900001"
    response = clerk_client.post(URL, form_data(nik=bad))
    assert all(bad not in error for error in response.context["form"].errors["nik"])


def test_a_duplicate_complaint_links_to_the_open_ticket(clerk_client, office, clerk):
    existing = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    response = clerk_client.post(URL, form_data())
    assert response.status_code == 200
    assert existing.display_code in response.context["form"].errors["category"][0]
    assert reverse("tickets:detail", args=[existing.code]) in response.content.decode()
    assert Ticket.objects.count() == 1


def test_a_staff_user_without_an_office_cannot_file(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("nooffice", password="x")
    user.groups.add(Group.objects.get(name="Petugas Loket"))
    client.force_login(user)
    assert client.post(URL, form_data()).status_code == 403
    assert not Ticket.objects.exists()


class TestNikCheck:
    url = reverse("tickets:nik_check")

    def test_it_shows_what_the_nik_says(self, clerk_client):
        html = clerk_client.post(
            self.url, {"nik": NIK, "birth_date": "1990-01-01", "sex": "P"}
        ).content.decode()
        assert "Kaliwungu" in html and "Kabupaten Kudus" in html and "Perempuan" in html
        assert "berbeda" not in html

    def test_it_warns_when_the_typed_birth_date_or_sex_disagree(self, clerk_client):
        html = clerk_client.post(
            self.url, {"nik": NIK, "birth_date": "1991-01-01", "sex": "L"}
        ).content.decode()
        assert "Tanggal lahir pada NIK berbeda" in html
        assert "Jenis kelamin pada NIK berbeda" in html

    def test_it_warns_about_a_region_code_missing_from_the_current_list(self, clerk_client):
        html = clerk_client.post(self.url, {"nik": "3319994101900001"}).content.decode()
        assert "Kode wilayah tidak ada di data Kemendagri terbaru" in html

    def test_it_shows_the_error_of_an_impossible_nik(self, clerk_client):
        html = clerk_client.post(self.url, {"nik": "12"}).content.decode()
        assert "NIK harus terdiri dari 16 digit angka." in html

    def test_a_nik_is_never_accepted_in_the_url(self, clerk_client):
        assert clerk_client.get(self.url, {"nik": NIK}).status_code == 405
