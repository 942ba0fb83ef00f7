"""Every URL pattern has an accessibility check (tests/e2e/pages.py) or a reason it needs none,
and what is said to be no page renders none (as the authorization matrix does for roles)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.e2e.pages import NOT_A_PAGE, PAGES
from tests.security.matrix import MATRIX, ROLES, walk

pytestmark = pytest.mark.django_db


def test_every_url_pattern_is_checked_or_said_not_to_be_a_page():
    keys = {p.key for p in walk()}
    missing = sorted(keys - set(PAGES) - set(NOT_A_PAGE))
    assert not missing, (
        "URL patterns with no accessibility check: add how to open them to PAGES in "
        f"tests/e2e/pages.py, or why they are no page to NOT_A_PAGE: {missing}"
    )
    assert not (set(PAGES) | set(NOT_A_PAGE)) - keys, "entries for URL patterns that are gone"
    assert not set(PAGES) & set(NOT_A_PAGE)


def test_what_is_said_not_to_be_a_page_renders_no_html_page(world, role_users):
    """Every GET the matrix lets a role make with a 200 answer returns no full HTML document."""
    pages = []
    for key in NOT_A_PAGE:
        for probe in MATRIX[key].probes:
            if probe.method != "GET" or probe.path:
                continue
            for role in ROLES:
                if probe.expected[role] != 200:
                    continue
                client = Client()
                if role_users[role]:
                    client.force_login(role_users[role])
                response = client.get(reverse(key, kwargs=probe.args(world.own)), probe.data(world.own))
                if not response.streaming and b"<html" in response.content[:500].lower():
                    pages.append(f"{key} as {role}")
    assert not pages, f"these render a page: add them to PAGES in tests/e2e/pages.py: {pages}"


def test_the_check_sees_a_page_when_one_is_said_not_to_be(world, role_users, monkeypatch):
    """The check above can fail: the queue, said not to be a page, is caught."""
    monkeypatch.setitem(NOT_A_PAGE, "tickets:queue", "(pretend)")
    with pytest.raises(AssertionError, match="tickets:queue as clerk"):
        test_what_is_said_not_to_be_a_page_renders_no_html_page(world, role_users)
