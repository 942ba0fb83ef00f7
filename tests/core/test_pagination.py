"""CappedPaginator counts at most QUEUE_COUNT_CAP + 1 rows, in any order: a capped count that
walked the newest rows first read the table pages written last (core/pagination.py)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import pagination

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(monkeypatch):
    monkeypatch.setattr(pagination, "QUEUE_COUNT_CAP", 3)
    Group.objects.all().delete()
    Group.objects.bulk_create(Group(name=f"kelompok {n}") for n in range(5))
    return Group.objects.order_by("-id")


def test_a_list_past_the_cap_is_counted_as_capped_without_ordering_the_count(groups):
    paginator = pagination.CappedPaginator(groups, 2)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 4 and paginator.is_capped
    assert "ORDER BY" not in queries[0]["sql"].upper()


def test_a_list_within_the_cap_is_counted_exactly_and_its_pages_keep_their_order(groups):
    few = groups.filter(name__in=["kelompok 1", "kelompok 2", "kelompok 4"])
    paginator = pagination.CappedPaginator(few, 2)
    assert paginator.count == 3 and not paginator.is_capped and paginator.num_pages == 2
    assert [g.name for g in paginator.page(1)] == ["kelompok 4", "kelompok 2"]


def test_a_plain_list_is_counted_too(monkeypatch):
    monkeypatch.setattr(pagination, "QUEUE_COUNT_CAP", 3)
    assert pagination.CappedPaginator(list(range(10)), 2).count == 4


def test_a_page_read_ids_first_keeps_the_lists_order_and_joins_only_its_own_rows(groups):
    asked = []

    def rows(ids):
        asked.append(ids)
        found = {g.pk: g for g in Group.objects.filter(pk__in=ids)}
        return [found[pk] for pk in ids]

    newest = list(groups.all())  # a copy: an evaluated queryset would page as a list
    paginator = pagination.CappedPaginator(groups, 2, rows=rows)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.page(2)
    assert [g.name for g in page] == [g.name for g in newest[2:4]]
    assert asked == [[g.pk for g in newest[2:4]]]
    paged = [q["sql"] for q in queries if "LIMIT" in q["sql"].upper() and "COUNT" not in q["sql"].upper()]
    assert len(paged) == 1 and '"auth_group"."name"' not in paged[0]  # the paged query reads ids only
