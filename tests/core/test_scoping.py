"""The one scope object: which offices each role reads, and who writes."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from core.scoping import scope_of
from tests.cast import make_staff
from tickets.models import Office
from tickets.permissions import SUPERVISOR_GROUP

pytestmark = pytest.mark.django_db


def test_office_staff_read_and_write_their_own_office_only(supervisor, office):
    scope = scope_of(supervisor)
    assert scope.office_ids == {office.pk} and scope.office_codes == {"3319"}
    assert not scope.read_only and not scope.spans_offices and scope.office == office
    assert scope.may_write(office.pk) and not scope.sees(office.pk + 1000)


def test_the_provincial_supervisor_reads_the_province_and_writes_nothing(
    province_supervisor, province_office, office, pati_office, surabaya_office
):
    scope = scope_of(province_supervisor)
    assert scope.office_ids == {province_office.pk, office.pk, pati_office.pk}
    assert scope.read_only and scope.spans_offices and not scope.may_write(office.pk)
    with pytest.raises(PermissionDenied, match="hanya untuk melihat data"):
        scope.refuse_writes()


def test_the_national_role_reads_every_office_read_only(national_reader, surabaya_office):
    scope = scope_of(national_reader)
    assert scope.sees_all and scope.sees(surabaya_office.pk) and scope.read_only
    assert scope.rows(Office.objects.all()).count() == Office.objects.count()


def test_an_account_without_an_office_reads_nothing_and_is_refused_its_office(db):
    user = make_staff(
        "tanpa_kantor", Office.objects.create(code="x", name="x", region_code="33.01"), SUPERVISOR_GROUP
    )
    user.staff_profile.delete()
    user = type(user).objects.get(pk=user.pk)
    scope = scope_of(user)
    assert scope.rows(Office.objects.all()).count() == 0
    with pytest.raises(PermissionDenied, match="belum terdaftar"):
        scope.office  # noqa: B018 - the property raises


def test_the_scope_is_built_once_per_user_object(supervisor, django_assert_num_queries):
    scope_of(supervisor)
    with django_assert_num_queries(0):
        scope_of(supervisor)


def test_an_office_level_must_match_its_region_code(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.create(code="bad", name="Salah", region_code="33", level=Office.Level.REGENCY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.create(code="bad2", name="Salah", region_code="33.19.01")
