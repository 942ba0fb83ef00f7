import datetime as dt
import re

import pytest
from django.urls import reverse

from citizens.models import Citizen
from families.models import FamilyGroup, FamilyMember
from sync.models import SyncJob
from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tests.families.support import DAUGHTER, HUSBAND, SON, family_form
from tickets import services
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db
URL = reverse("families:intake")


def test_the_family_page_needs_a_desk_login(client, django_user_model):
    assert reverse("login") in client.get(URL)["Location"]
    client.force_login(django_user_model.objects.create_user("outsider", password="x"))
    assert client.get(URL).status_code == 403


def test_the_page_offers_the_counter_form_and_member_rows(clerk_client):
    html = clerk_client.get(URL).content.decode()
    assert 'name="nik"' in html and 'name="kk_number"' in html and 'name="category"' in html
    assert 'name="anggota-0-nik"' in html and 'name="anggota-TOTAL_FORMS"' in html
    assert 'id="member-empty-form"' in html and "__prefix__" in html
    assert "js/families.js" in html and "<script>" not in html


def test_one_post_opens_a_ticket_with_its_own_sync_job_for_each_of_four_members(clerk_client, clerk, office):
    response = clerk_client.post(URL, family_form())
    group = FamilyGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("families:group", args=[group.pk])
    assert Ticket.objects.count() == 4
    assert SyncJob.objects.count() == 4
    assert set(SyncJob.objects.values_list("ticket_id", flat=True)) == set(
        Ticket.objects.values_list("pk", flat=True)
    )
    assert len(set(Ticket.objects.values_list("code", flat=True))) == 4
    assert group.office == office and group.created_by == clerk and group.source == "counter"
    assert group.kk_number == KK_NEW and group.batch is None
    members = list(group.members.select_related("ticket__citizen").order_by("position"))
    assert [m.relation for m in members] == ["istri", "kepala", "anak", "anak"]
    assert [m.ticket.citizen.nik for m in members] == [NIK, HUSBAND["nik"], DAUGHTER["nik"], SON["nik"]]
    assert not any(m.linked for m in members)
    applicant, *others = [m.ticket for m in members]
    assert (
        applicant.category == "new_kk" and applicant.service == "sscasn" and applicant.kk_number_old == KK_OLD
    )
    assert all(t.category == Category.NEW_KK and t.kk_number == KK_NEW for t in others)
    assert all(t.citizen.family_card.kk_number == KK_NEW for t in [applicant, *others])


def test_a_member_with_an_open_ticket_is_linked_not_duplicated(clerk_client, office, clerk):
    existing = services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(
            nik=HUSBAND["nik"],
            full_name="Budi Santoso",
            sex="L",
            category="nik_not_found",
            kk_number=KK_OLD,
            kk_number_old="",
        ),
    )
    response = clerk_client.post(URL, family_form())
    assert response.status_code == 302
    assert Ticket.objects.count() == 4  # three new, and the husband's existing one
    assert SyncJob.objects.count() == 4
    husband = FamilyMember.objects.get(ticket__citizen__nik_digest=existing.citizen.nik_digest)
    assert husband.ticket == existing and husband.linked
    assert Ticket.objects.filter(citizen=existing.citizen).count() == 1


def test_a_member_whose_open_ticket_has_the_same_category_is_linked_too(clerk_client, office, clerk):
    existing = services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(
            nik=SON["nik"],
            full_name="Dimas Pratama",
            birth_date=dt.date(2018, 7, 20),
            sex="L",
            category="new_kk",
        ),
    )
    clerk_client.post(URL, family_form())
    assert FamilyMember.objects.get(ticket=existing).linked
    assert Ticket.objects.count() == 4


def test_bad_member_rows_show_indonesian_errors_beside_their_fields_and_create_nothing(clerk_client):
    bad = [
        {**HUSBAND, "nik": "3319010101880000"},
        {**DAUGHTER, "full_name": "   "},
        {**SON, "birth_date": "2999-01-01", "relation": ""},
    ]
    response = clerk_client.post(URL, family_form(bad))
    assert response.status_code == 200
    forms = response.context["members"].forms
    assert forms[0].errors["nik"] == ["Nomor urut NIK tidak boleh 0000."]
    assert forms[1].errors["full_name"] == ["Bidang ini tidak boleh kosong."]
    assert forms[2].errors["birth_date"] == ["Tanggal lahir tidak boleh di masa depan."]
    assert forms[2].errors["relation"] == ["Bidang ini tidak boleh kosong."]
    html = response.content.decode()
    assert "Periksa kembali isian yang ditandai merah." in html
    # Nothing typed is lost: the applicant and every member row come back filled in.
    assert 'value="Siti Rahayu"' in html and "KK baru setelah menikah; SSCASN menolak." in html
    assert (
        'value="3319010101880000"' in html
        and 'value="Dimas Pratama"' in html
        and 'value="2999-01-01"' in html
    )
    assert not Ticket.objects.exists() and not FamilyGroup.objects.exists() and not Citizen.objects.exists()


def test_an_error_in_the_applicant_keeps_the_members_and_creates_nothing(clerk_client):
    response = clerk_client.post(URL, family_form(kk_number="33190115032600"))
    assert response.context["family"].applicant.errors["kk_number"] == [
        "Nomor KK harus terdiri dari 16 digit angka."
    ]
    assert 'value="Budi Santoso"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_member_with_the_applicants_nik_is_refused_on_that_row(clerk_client):
    response = clerk_client.post(URL, family_form([HUSBAND, {**DAUGHTER, "nik": NIK}]))
    errors = response.context["members"].forms[1].errors["nik"]
    assert errors == ["NIK ini sudah diisi untuk anggota lain (atau pemohon)."]
    assert not Ticket.objects.exists()


def test_two_heads_of_family_are_refused_on_the_second(clerk_client):
    response = clerk_client.post(
        URL, family_form([HUSBAND, {**SON, "relation": "kepala"}], **{"pemohon-relation": "istri"})
    )
    assert response.context["members"].forms[1].errors["relation"] == [
        "Kepala Keluarga hanya satu dalam satu KK."
    ]
    assert not Ticket.objects.exists()


def test_a_family_complaint_needs_at_least_one_other_member(clerk_client):
    response = clerk_client.post(URL, family_form([], extra_rows=2))
    assert "Isi paling sedikit satu anggota keluarga selain pemohon." in response.content.decode()
    assert not Ticket.objects.exists()


def test_untouched_and_removed_rows_are_ignored(clerk_client):
    data = family_form([HUSBAND, DAUGHTER], extra_rows=1)
    data["anggota-1-DELETE"] = "on"
    clerk_client.post(URL, data)
    assert Ticket.objects.count() == 2


def test_no_nik_ever_sits_in_a_redirect_url(clerk_client):
    response = clerk_client.post(URL, family_form())
    assert all(number not in response["Location"] for number in (NIK, HUSBAND["nik"], KK_NEW))


class TestKnownMembers:
    url = reverse("families:find_members")

    @pytest.fixture
    def husband_on_new_kk(self, office, clerk):
        return services.open_ticket(
            office=office,
            created_by=clerk,
            complaint=complaint(
                nik=HUSBAND["nik"],
                full_name="Budi Santoso",
                birth_date=dt.date(1988, 1, 1),
                sex="L",
                category="kk_mismatch",
            ),
        )

    def test_it_lists_citizens_on_the_kk_with_masked_niks_only(self, clerk_client, husband_on_new_kk):
        html = clerk_client.post(self.url, {"kk_number": KK_NEW}).content.decode()
        citizen = husband_on_new_kk.citizen
        assert "Budi Santoso" in html and "************0001" in html
        assert HUSBAND["nik"] not in html
        assert f'data-citizen="{citizen.pk}"' in html and 'data-birth-date="1988-01-01"' in html
        assert husband_on_new_kk.display_code in html  # their open ticket, which will be linked

    def test_it_says_so_when_nobody_is_known_or_the_number_is_bad(self, clerk_client, husband_on_new_kk):
        assert (
            "Belum ada penduduk yang tercatat"
            in clerk_client.post(self.url, {"kk_number": KK_OLD}).content.decode()
        )
        assert (
            "Nomor KK harus terdiri dari 16 digit angka."
            in clerk_client.post(self.url, {"kk_number": "12"}).content.decode()
        )

    def test_a_kk_number_is_never_accepted_in_the_url(self, clerk_client):
        assert clerk_client.get(self.url, {"kk_number": KK_NEW}).status_code == 405

    def test_a_member_added_from_the_records_is_linked_by_id_without_a_typed_nik(
        self, clerk_client, husband_on_new_kk
    ):
        citizen = husband_on_new_kk.citizen
        known = {
            "citizen": str(citizen.pk),
            "nik": "",
            "full_name": "Budi Santoso",
            "birth_date": "1988-01-01",
            "sex": "L",
            "relation": "kepala",
        }
        response = clerk_client.post(URL, family_form([known, DAUGHTER]))
        assert response.status_code == 302
        member = FamilyMember.objects.get(ticket=husband_on_new_kk)
        assert member.linked and member.relation == "kepala"
        assert Ticket.objects.count() == 3

    def test_a_recorded_member_on_another_kk_must_be_typed_in(self, clerk_client, office, clerk):
        other = services.open_ticket(
            office=office,
            created_by=clerk,
            complaint=complaint(
                nik=HUSBAND["nik"], full_name="Budi Santoso", sex="L", kk_number=KK_OLD, kk_number_old=""
            ),
        )
        known = {
            "citizen": str(other.citizen_id),
            "full_name": "Budi Santoso",
            "birth_date": "1988-01-01",
            "sex": "L",
            "relation": "kepala",
        }
        response = clerk_client.post(URL, family_form([known]))
        form = response.context["members"].forms[0]
        assert "tidak tercatat pada Nomor KK di atas" in form.errors["nik"][0]
        assert form.known_citizen is None, "a citizen on another KK is not echoed back"
        assert HUSBAND["nik"] not in response.content.decode()
        assert Ticket.objects.count() == 1


def test_ticket_for_member_links_the_ticket_named_by_a_duplicate_refusal(office, clerk, monkeypatch):
    """Two clerks at once: the early check saw nothing, open_ticket's own refusal names the ticket."""
    from families.services import intake as family_services

    existing = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    monkeypatch.setattr(family_services, "open_ticket_of", lambda nik: None)
    ticket, linked = family_services.ticket_for_member(office=office, created_by=clerk, complaint=complaint())
    assert ticket == existing and linked


# --- issue 15 §2: member rows checked as typed, required fields marked, relation vs sex ----------

CHECK_URL = reverse("families:check_member")


def member_row(row="anggota-0", **fields):
    return {"row": row, **{f"{row}-{name}": value for name, value in fields.items()}}


class TestMemberCheckAsTyped:
    def test_an_impossible_member_nik_gets_its_error(self, clerk_client):
        html = clerk_client.post(CHECK_URL, member_row(nik=NIK[:15])).content.decode()
        assert "NIK harus terdiri dari 16 digit angka." in html

    def test_an_impossible_member_nik_gets_its_error_in_english(self, clerk_client):
        from tests.helpdesk.test_english import switch_to_english

        switch_to_english(clerk_client)
        html = clerk_client.post(CHECK_URL, member_row(nik="3319013102900001")).content.decode()
        assert "The date of birth in the NIK is not valid." in html

    def test_a_husband_whose_nik_says_woman_is_warned(self, clerk_client):
        html = clerk_client.post(CHECK_URL, member_row(nik=NIK, relation="suami")).content.decode()
        assert "Hubungan Suami tidak cocok dengan jenis kelamin Perempuan." in html

    def test_a_wife_whose_nik_says_man_is_warned_even_if_the_typed_sex_agrees(self, clerk_client):
        row = member_row(nik=HUSBAND["nik"], sex="P", relation="istri")
        html = clerk_client.post(CHECK_URL, row).content.decode()
        assert "Hubungan Istri tidak cocok dengan jenis kelamin Laki-laki." in html
        assert "Jenis kelamin pada NIK berbeda dengan yang diisi." in html

    def test_a_relation_that_fits_the_nik_gets_no_warning(self, clerk_client):
        row = member_row(**{**HUSBAND, "relation": "suami"})
        html = clerk_client.post(CHECK_URL, row).content.decode()
        assert html.strip() == ""

    def test_a_member_picked_from_the_records_is_checked_by_the_typed_sex(self, clerk_client):
        row = member_row(row="anggota-3", sex="L", relation="istri")
        html = clerk_client.post(CHECK_URL, row).content.decode()
        assert "Hubungan Istri tidak cocok dengan jenis kelamin Laki-laki." in html

    def test_a_birth_date_the_nik_disagrees_with_is_warned(self, clerk_client):
        row = member_row(**{**DAUGHTER, "birth_date": "2015-05-16"})
        html = clerk_client.post(CHECK_URL, row).content.decode()
        assert "Tanggal lahir pada NIK berbeda dengan tanggal lahir yang diisi." in html

    def test_the_applicants_relation_is_checked_against_their_nik(self, clerk_client):
        html = clerk_client.post(CHECK_URL, {"row": "pemohon", "nik": NIK, "pemohon-relation": "suami"})
        assert "Hubungan Suami tidak cocok dengan jenis kelamin Perempuan." in html.content.decode()
        fitting = clerk_client.post(CHECK_URL, {"row": "pemohon", "nik": NIK, "pemohon-relation": "istri"})
        assert fitting.content.decode().strip() == ""

    def test_the_applicants_typed_sex_counts_while_their_nik_is_impossible(self, clerk_client):
        data = {"row": "pemohon", "nik": "12", "sex": "L", "pemohon-relation": "istri"}
        html = clerk_client.post(CHECK_URL, data).content.decode()
        assert "Hubungan Istri tidak cocok dengan jenis kelamin Laki-laki." in html

    @pytest.mark.parametrize("row", ["", "pemohon-0", "anggota-x", "anggota-0-nik", "anggota-100"])
    def test_a_row_that_is_no_member_row_is_a_bad_request_not_a_500(self, clerk_client, row):
        assert clerk_client.post(CHECK_URL, {"row": row}).status_code == 400

    def test_a_nik_is_never_accepted_in_the_url(self, clerk_client):
        assert clerk_client.get(CHECK_URL, member_row(nik=NIK)).status_code == 405

    def test_every_member_row_asks_for_the_check_with_its_own_prefix(self, clerk_client):
        html = clerk_client.get(URL).content.decode()
        assert f'hx-post="{CHECK_URL}"' in html
        assert """hx-vals='{"row": "anggota-0"}'""" in html
        assert """hx-vals='{"row": "anggota-__prefix__"}'""" in html  # rows added later


def test_a_member_rows_required_fields_are_marked_for_eyes_and_screen_readers(clerk_client):
    html = clerk_client.get(URL).content.decode()
    assert "Kolom bertanda * wajib diisi." in html
    for name in ("nik", "full_name", "birth_date", "sex", "relation"):
        label = rf'for="id_anggota-0-{name}" class="form-label requiredField">[^<]*<span class="asteriskField">\*</span>'
        assert re.search(label, html), name
        control = rf'<(?:input|select)(?=[^>]*name="anggota-0-{name}")(?=[^>]*aria-required="true")'
        assert re.search(control, html), name


def test_a_member_without_a_nik_or_a_record_is_refused_beside_the_nik(clerk_client):
    members = [HUSBAND, {**DAUGHTER, "nik": ""}]
    response = clerk_client.post(URL, family_form(members))
    assert response.context["members"].forms[1].errors["nik"] == ["NIK wajib diisi."]
    assert not Ticket.objects.exists()


def test_a_member_nik_equal_to_the_new_kk_is_refused(clerk_client):
    response = clerk_client.post(URL, family_form([HUSBAND, {**DAUGHTER, "nik": KK_NEW}]))
    assert "NIK tidak boleh sama dengan Nomor KK." in response.context["members"].forms[1].errors["nik"]
    assert not Ticket.objects.exists()


def test_the_applicants_kk_equal_to_their_nik_is_refused_on_the_family_page_too(clerk_client):
    response = clerk_client.post(URL, family_form(kk_number=NIK))
    assert response.context["family"].applicant.errors["kk_number"] == [
        "Nomor KK tidak boleh sama dengan NIK."
    ]
    assert not Ticket.objects.exists()
