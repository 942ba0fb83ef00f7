"""Subject access across the hierarchy: a citizen who moved from Kudus (Central Java) to Surabaya
(East Java) keeps one record; each reader sees in full the tickets of the offices they read, and
only a count of the others (docs/hierarchy.md)."""

import pytest
from django.urls import reverse

from core.scoping import scope_of
from desk.selectors.subject_access import subject_record
from tests.cast import complaint, make_staff
from tests.security.conftest import logged_in
from tickets import services
from tickets.permissions import COUNTER_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(office, surabaya_office, clerk):
    """One citizen, one complaint at Kudus before the move and one at Surabaya after it."""
    kudus = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    surabaya = services.open_ticket(
        office=surabaya_office,
        created_by=make_staff("petugas_sby", surabaya_office, COUNTER_GROUP),
        complaint=complaint(category="move"),
    )
    assert kudus.citizen_id == surabaya.citizen_id
    return kudus, surabaya


def shown(user, moved):
    record = subject_record(moved[0].citizen, scope=scope_of(user))
    return {t["code"] for t in record["tickets"]}, {
        o["office"]: o["tickets"] for o in record["other_offices"]
    }


def test_the_provincial_supervisor_sees_the_provinces_ticket_whole_and_counts_the_other(
    province_supervisor, moved
):
    codes, elsewhere = shown(province_supervisor, moved)
    assert codes == {moved[0].display_code}
    assert elsewhere == {"Disdukcapil Kota Surabaya": 1}


def test_the_national_role_sees_every_offices_ticket_whole(national_reader, moved):
    codes, elsewhere = shown(national_reader, moved)
    assert codes == {t.display_code for t in moved} and elsewhere == {}


def test_the_office_supervisor_sees_their_office_whole(supervisor, moved):
    codes, elsewhere = shown(supervisor, moved)
    assert codes == {moved[0].display_code} and elsewhere == {"Disdukcapil Kota Surabaya": 1}


def test_the_page_shows_a_reader_no_correction_form(province_supervisor, moved):
    html = (
        logged_in(province_supervisor)
        .get(reverse("subject_access:detail", kwargs={"pk": moved[0].citizen_id}))
        .content.decode()
    )
    assert 'id="read-only-note"' in html and "Simpan koreksi" not in html
    assert "1 pengaduan di kantor lain (Disdukcapil Kota Surabaya)" in html
