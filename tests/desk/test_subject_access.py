import json

import pytest
from django.urls import reverse

from citizens.models import Citizen, DataCorrection, PersonalDataAccess
from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tickets import services

pytestmark = pytest.mark.django_db
LOOKUP = reverse("subject_access:lookup")


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def test_a_supervisor_finds_a_person_by_nik_without_it_entering_a_url(supervisor_client, ticket):
    response = supervisor_client.post(LOOKUP, {"nik": NIK})
    assert response.status_code == 302
    assert NIK not in response["Location"]
    assert response["Location"] == reverse("subject_access:detail", args=[ticket.citizen.pk])


def test_the_record_holds_everything_and_viewing_it_is_recorded(supervisor_client, supervisor, ticket):
    services.add_note(ticket=ticket, actor=supervisor, text="Pemohon datang lagi.")
    html = supervisor_client.get(reverse("subject_access:detail", args=[ticket.citizen.pk])).content.decode()
    for expected in (NIK, KK_NEW, ticket.display_code, "Pemohon datang lagi.", "Siti Rahayu"):
        assert expected in html
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.purpose) == (supervisor, "akses subjek")


def test_the_json_export_has_every_section_and_is_recorded(supervisor_client, ticket):
    response = supervisor_client.post(reverse("subject_access:export_json", args=[ticket.citizen.pk]))
    data = json.loads(response.content)
    assert set(data) == {
        "citizen",
        "family_cards",
        "tickets",
        "other_offices",
        "documents",
        "family_groups",
        "import_rows",
        "timeline",
        "sync_attempts",
        "notifications",
        "accesses",
        "corrections",
    }
    assert data["citizen"]["nik"] == NIK and data["tickets"][0]["kk_number_old"] == KK_OLD
    assert data["notifications"], "the opened notification is part of the record"
    assert PersonalDataAccess.objects.filter(purpose="ekspor subjek").count() == 1
    assert response["Cache-Control"] == "no-store"


def test_a_correction_changes_the_data_and_records_which_fields_and_why(
    supervisor_client, supervisor, ticket
):
    url = reverse("subject_access:detail", args=[ticket.citizen.pk])
    response = supervisor_client.post(
        url,
        {
            "full_name": "Siti Rahayu Ningsih",
            "birth_date": "1990-01-01",
            "sex": "P",
            "phone": "0812-3456-7890",
            "email": "",
            "reason": "Sesuai akta kelahiran.",
        },
    )
    assert response.status_code == 302
    assert Citizen.objects.get().full_name == "Siti Rahayu Ningsih"
    correction = DataCorrection.objects.get()
    assert (correction.actor, correction.fields, correction.reason) == (
        supervisor,
        ["full_name"],
        "Sesuai akta kelahiran.",
    )
    assert "Siti" not in json.dumps(correction.fields)


def test_a_correction_with_bad_input_shows_field_errors_and_changes_nothing(supervisor_client, ticket):
    url = reverse("subject_access:detail", args=[ticket.citizen.pk])
    response = supervisor_client.post(
        url,
        {
            "full_name": "",
            "birth_date": "31/02/1990",
            "sex": "X",
            "phone": "123",
            "email": "bukan-email",
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {
        "full_name",
        "birth_date",
        "sex",
        "phone",
        "email",
        "reason",
    }
    assert Citizen.objects.get().full_name == "Siti Rahayu" and not DataCorrection.objects.exists()


def test_an_unknown_or_bad_nik_gets_a_field_error(supervisor_client, ticket):
    assert (
        "NIK harus terdiri dari 16 digit angka."
        in supervisor_client.post(LOOKUP, {"nik": "123"}).content.decode()
    )
    html = supervisor_client.post(LOOKUP, {"nik": "3319014101900099"}).content.decode()
    assert "Tidak ada data untuk NIK ini di kantor Anda." in html


def test_counter_staff_and_other_offices_are_refused(clerk_client, client, ticket, other_office):
    from tests.cast import make_staff
    from tickets.permissions import SUPERVISOR_GROUP

    assert clerk_client.post(LOOKUP, {"nik": NIK}).status_code == 403
    client.force_login(make_staff("sup_semarang", other_office, SUPERVISOR_GROUP))
    assert client.get(reverse("subject_access:detail", args=[ticket.citizen.pk])).status_code == 404
    assert "Tidak ada data" in client.post(LOOKUP, {"nik": NIK}).content.decode()


def test_a_purged_citizen_is_no_longer_shown(supervisor_client, ticket):
    from desk.retention import PURGED_PREFIX

    Citizen.objects.filter(pk=ticket.citizen.pk).update(nik_digest=f"{PURGED_PREFIX}x")
    assert (
        supervisor_client.get(reverse("subject_access:detail", args=[ticket.citizen.pk])).status_code == 404
    )


@pytest.mark.parametrize("page", ["detail", "export_json"])
def test_the_record_runs_the_same_number_of_queries_for_1_or_5_tickets(
    supervisor_client, office, clerk, page
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    categories = ["kk_mismatch", "new_kk", "move", "name", "birth"]
    first = services.open_ticket(office=office, created_by=clerk, complaint=complaint(category=categories[0]))
    url = reverse(f"subject_access:{page}", args=[first.citizen.pk])
    request = supervisor_client.post if page == "export_json" else supervisor_client.get

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert request(url).status_code == 200
        return len(captured)

    services.add_note(ticket=first, actor=clerk, text="Catatan.")
    few = queries()
    for category in categories[1:]:
        ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint(category=category))
        services.add_note(ticket=ticket, actor=clerk, text="Catatan.")
    assert queries() == few


def test_the_correction_form_prefills_the_birth_date_as_the_date_input_needs_it(supervisor_client, ticket):
    html = supervisor_client.get(reverse("subject_access:detail", args=[ticket.citizen.pk])).content.decode()
    assert 'type="date" name="birth_date" value="1990-01-01"' in html


def test_the_prefilled_correction_form_saves_with_only_the_changed_field(supervisor_client, ticket):
    url = reverse("subject_access:detail", args=[ticket.citizen.pk])
    form = supervisor_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["birth_date"] = form["birth_date"].as_widget().split('value="')[1].split('"')[0]
    data.update(full_name="Siti Rahayu Ningsih", reason="Sesuai akta kelahiran.")
    response = supervisor_client.post(url, data, follow=True)
    assert DataCorrection.objects.get().fields == ["full_name"]
    assert "Koreksi disimpan: Nama Lengkap." in response.content.decode()


def test_the_record_shows_indonesian_labels_and_times_in_wib(supervisor_client, ticket):
    from django.utils import timezone

    html = supervisor_client.get(reverse("subject_access:detail", args=[ticket.citizen.pk])).content.decode()
    for label in ("Nama Lengkap", "Tanggal Lahir", "Jenis Kelamin", "Dicatat pada"):
        assert f">{label}</dt>" in html
    assert ">full_name<" not in html and "+00:00" not in html and "Perempuan" in html
    created = timezone.localtime(ticket.created_at, timezone.get_fixed_timezone(7 * 60))
    assert f"{created:%d/%m/%Y %H:%M} WIB" in html


def test_the_json_export_gives_times_in_wib(supervisor_client, ticket):
    response = supervisor_client.post(reverse("subject_access:export_json", args=[ticket.citizen.pk]))
    data = json.loads(response.content)
    assert data["citizen"]["birth_date"] == "1990-01-01"
    assert data["tickets"][0]["created_at"].endswith("+07:00")
