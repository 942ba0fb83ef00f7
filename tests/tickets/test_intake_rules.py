"""Issue 15 §2, the intake rules a clerk relies on: a KK equal to the NIK, the birth date and sex
the NIK encodes, and the duplicate message that names a ticket only to someone who may open it."""

import pytest
from django.urls import reverse

from tests.cast import KK_NEW, NIK, complaint, make_staff
from tests.helpdesk.test_english import switch_to_english
from tests.tickets.test_intake_view import form_data
from tickets import services
from tickets.models import Ticket, TicketEvent
from tickets.permissions import SUPERVISOR_GROUP

pytestmark = pytest.mark.django_db
URL = reverse("tickets:intake")
NIK_CHECK = reverse("tickets:nik_check")
KK_CHECK = reverse("tickets:kk_check")
NIK_SPACED = f"{NIK[:6]} {NIK[6:12]} {NIK[12:]}"


# --- a KK equal to the NIK ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["kk_number", "kk_number_old"])
@pytest.mark.parametrize("typed", [NIK, NIK_SPACED], ids=["plain", "spaced"])
def test_a_kk_number_equal_to_the_nik_is_refused_beside_its_field_and_nothing_is_saved(
    clerk_client, field, typed
):
    response = clerk_client.post(URL, form_data(**{field: typed}))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == ["Nomor KK tidak boleh sama dengan NIK."]
    assert 'value="Siti Rahayu"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_kk_number_equal_to_the_nik_is_refused_in_english_too(clerk_client):
    switch_to_english(clerk_client)
    response = clerk_client.post(URL, form_data(kk_number=NIK))
    assert response.context["form"].errors["kk_number"] == [
        "The family card (KK) number cannot be the same as the NIK."
    ]


class TestKkCheckAsTyped:
    def test_a_kk_number_equal_to_the_nik_is_refused_as_typed(self, clerk_client):
        html = clerk_client.post(KK_CHECK, {"nik": NIK, "kk_number": NIK_SPACED}).content.decode()
        assert "Nomor KK tidak boleh sama dengan NIK." in html and 'role="alert"' in html

    def test_a_different_kk_number_is_not_refused(self, clerk_client):
        html = clerk_client.post(KK_CHECK, {"nik": NIK, "kk_number": KK_NEW}).content.decode()
        assert "alert" not in html and "tidak boleh" not in html

    def test_an_impossible_kk_number_gets_its_error_in_the_active_language(self, clerk_client):
        html = clerk_client.post(KK_CHECK, {"nik": NIK, "kk_number": "1234"}).content.decode()
        assert "Nomor KK harus terdiri dari 16 digit angka." in html
        switch_to_english(clerk_client)
        html = clerk_client.post(KK_CHECK, {"nik": NIK, "kk_number": "1234"}).content.decode()
        assert "A family card (KK) number must have 16 digits." in html

    def test_the_kk_field_asks_for_the_check_when_it_changes(self, clerk_client):
        html = clerk_client.get(URL).content.decode()
        assert f'hx-post="{KK_CHECK}"' in html and 'id="kk-info"' in html

    def test_a_kk_number_is_never_accepted_in_the_url(self, clerk_client):
        assert clerk_client.get(KK_CHECK, {"kk_number": KK_NEW}).status_code == 405


# --- birth date and sex against the NIK -----------------------------------------------------------


def test_the_nik_check_runs_when_the_birth_date_or_the_sex_changes_not_only_the_nik(clerk_client):
    form = clerk_client.get(URL).context["form"]
    for name in ("nik", "birth_date", "sex"):
        attrs = form.fields[name].widget.attrs
        assert attrs["hx-post"] == NIK_CHECK and attrs["hx-trigger"] == "change", name
        assert attrs["hx-include"] == "[name=nik],[name=birth_date],[name=sex]"
    html = clerk_client.get(URL).content.decode()
    assert html.count(f'hx-post="{NIK_CHECK}"') == 4  # NIK, birth date, and each sex radio


def test_the_nik_check_offers_the_birth_date_and_sex_to_fill_empty_fields(clerk_client):
    html = clerk_client.post(NIK_CHECK, {"nik": NIK}).content.decode()
    assert 'data-nik-prefill data-sex="P" data-birth-date="1990-01-01"' in html


def test_the_nik_check_warns_in_english_when_the_ui_is_english(clerk_client):
    switch_to_english(clerk_client)
    html = clerk_client.post(NIK_CHECK, {"nik": NIK, "birth_date": "1991-01-01", "sex": "L"}).content.decode()
    assert "The sex in the NIK differs from the one entered." in html
    assert "Tanggal lahir pada NIK" not in html
    html = clerk_client.post(NIK_CHECK, {"nik": NIK[:15]}).content.decode()
    assert "A NIK must have 16 digits." in html


def test_a_birth_date_and_sex_saved_against_the_nik_are_recorded_on_the_ticket(clerk_client, clerk):
    response = clerk_client.post(URL, form_data(birth_date="1991-01-01", sex="L"))
    ticket = Ticket.objects.get()
    assert response.status_code == 302  # a warning, not an error: the clerk may save
    event = ticket.events.get(kind=TicketEvent.Kind.DATA_WARNING)
    assert event.actor == clerk and event.details == {"nik_mismatches": ["birth_date", "sex"]}
    assert (
        "Tanggal lahir pada NIK berbeda" in event.message
        and "Jenis kelamin pada NIK berbeda" in event.message
    )
    html = clerk_client.get(reverse("tickets:detail", args=[ticket.code])).content.decode()
    assert "Data berbeda dengan NIK" in html and "Jenis kelamin pada NIK berbeda dengan yang diisi." in html


def test_a_complaint_that_agrees_with_the_nik_records_no_mismatch(clerk_client):
    clerk_client.post(URL, form_data())
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.DATA_WARNING).exists()


def test_only_the_field_that_disagrees_is_recorded(clerk_client):
    clerk_client.post(URL, form_data(birth_date="1990-01-02"))
    event = TicketEvent.objects.get(kind=TicketEvent.Kind.DATA_WARNING)
    assert event.details == {"nik_mismatches": ["birth_date"]} and "Jenis kelamin" not in event.message


# --- the duplicate message ------------------------------------------------------------------------


def test_a_duplicate_at_another_office_names_that_office_but_not_its_code(
    clerk_client, other_office, other_clerk
):
    existing = services.open_ticket(office=other_office, created_by=other_clerk, complaint=complaint())
    response = clerk_client.post(URL, form_data())
    assert response.context["form"].errors["category"] == [
        "Masih ada pengaduan terbuka untuk NIK dan kategori ini di Disdukcapil Kota Semarang."
    ]
    html = response.content.decode()
    assert existing.display_code not in html and existing.code not in html
    assert reverse("tickets:detail", args=[existing.code]) not in html
    assert Ticket.objects.count() == 1


def test_a_duplicate_at_another_office_is_named_and_linked_for_someone_who_sees_all_offices(
    client, office, other_office, other_clerk
):
    from django.contrib.auth.models import Permission

    existing = services.open_ticket(office=other_office, created_by=other_clerk, complaint=complaint())
    supervisor = make_staff("pengawas_provinsi", office, SUPERVISOR_GROUP)
    supervisor.user_permissions.add(Permission.objects.get(codename="view_all_offices"))
    client.force_login(supervisor)
    response = client.post(URL, form_data())
    assert existing.display_code in response.context["form"].errors["category"][0]
    assert reverse("tickets:detail", args=[existing.code]) in response.content.decode()


def test_the_other_office_duplicate_message_is_english_in_english(clerk_client, other_office, other_clerk):
    services.open_ticket(office=other_office, created_by=other_clerk, complaint=complaint())
    switch_to_english(clerk_client)
    errors = clerk_client.post(URL, form_data()).context["form"].errors["category"]
    assert errors == [
        "There is still an open complaint for this NIK and category at Disdukcapil Kota Semarang."
    ]


# --- NIK errors in English ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nik,message",
    [
        (NIK[:15], "A NIK must have 16 digits."),
        ("9919014101900001", "Unknown province code."),
        ("3319013102900001", "The date of birth in the NIK is not valid."),
        ("3319014101900000", "The serial number of a NIK cannot be 0000."),
    ],
)
def test_nik_errors_are_english_when_the_ui_is_english(clerk_client, nik, message):
    switch_to_english(clerk_client)
    assert clerk_client.post(URL, form_data(nik=nik)).context["form"].errors["nik"] == [message]
