"""Every URL of the project answers each role exactly as tests/security/matrix.py says, and a
ticket or citizen of another office is never found (404), whichever URL asks for it."""

import json

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from citizens.models import PersonalDataAccess
from tests.security.conftest import logged_in
from tests.security.matrix import MATRIX, ROLES, walk
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

PATTERNS = walk()


def url_of(key, probe, objects) -> str:
    if probe.path:
        return probe.path
    return reverse(key, kwargs=probe.args(objects))


def send(client, probe, url, objects):
    data = probe.data(objects)
    if probe.method == "GET":
        return client.get(url, data, **probe.meta)
    if probe.json:
        return client.post(url, json.dumps(data), content_type="application/json", **probe.meta)
    return client.post(url, data, **probe.meta)


def answer_of(response) -> object:
    """Describe a response the way the matrix does."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("admin:login") + "?next="):
        return "admin-login"
    if location.startswith(reverse("login") + "?next="):
        return "login"
    return "redirect"


def test_every_url_pattern_has_an_entry_in_the_matrix():
    missing = [f"{p.key} ({p.route})" for p in PATTERNS if p.key not in MATRIX]
    assert not missing, (
        "URL patterns without an entry in tests/security/matrix.py - add what each role "
        "must get: " + ", ".join(missing)
    )


def test_the_matrix_names_no_url_that_is_gone():
    keys = {p.key for p in PATTERNS}
    assert not [key for key in MATRIX if key not in keys]


def test_every_url_with_an_object_parameter_declares_its_scope():
    unscoped = [
        p.key
        for p in PATTERNS
        if p.key in MATRIX and {"code", "pk"} & set(p.converters) and MATRIX[p.key].scope is None
    ]
    assert not unscoped
    assert {entry.scope for entry in MATRIX.values()} <= {
        None,
        "ticket",
        "citizen",
        "group",
        "batch",
        "document",
    }


@pytest.mark.parametrize("key", [p.key for p in PATTERNS])
def test_each_role_gets_exactly_the_intended_answer(key, world, role_users):
    """One test per URL pattern; every role and probe is tried and every mismatch reported at once."""
    entry = MATRIX.get(key)
    if entry is None:
        pytest.fail(f"URL pattern {key!r} has no entry in tests/security/matrix.py")
    wrong = []
    for role in ROLES:
        client = logged_in(role_users[role])
        for probe in entry.probes:
            objects = world.own.with_fresh_ticket() if probe.fresh else world.own
            url = url_of(key, probe, objects)
            answer = answer_of(send(client, probe, url, objects))
            expected = probe.expected[role]
            if answer not in (expected if isinstance(expected, tuple) else (expected,)):
                wrong.append(
                    f"  {role:<10} {probe.method} {url} {probe.note}: expected {expected}, got {answer}"
                )
    assert not wrong, f"{key}:\n" + "\n".join(wrong)


def _first_allowed_role(probe):
    """The least privileged role for which the probe succeeds on its own office's object."""
    for role in ("clerk", "supervisor"):
        if probe.expected[role] in (200, "redirect"):
            return role
    return None


SCOPED = [p.key for p in PATTERNS if p.key in MATRIX and MATRIX[p.key].scope]


@pytest.mark.parametrize("key", SCOPED)
def test_another_offices_object_is_not_found_on_every_scoped_url(key, world, role_users):
    """A clerk (or, on supervisor pages, a supervisor) of office A asks for office B's object."""
    foreign = world.foreign
    scope = MATRIX[key].scope
    target = getattr(foreign, "ticket" if scope == "citizen" else scope)

    def traces():
        target.refresh_from_db()
        return (
            model_to_dict(target),
            TicketEvent.objects.filter(ticket=foreign.ticket).count(),
            PersonalDataAccess.objects.filter(citizen=foreign.citizen).count(),
        )

    before = traces()
    checked = 0
    for probe in MATRIX[key].probes:
        role = _first_allowed_role(probe)
        if role is None:
            continue
        response = send(logged_in(role_users[role]), probe, url_of(key, probe, foreign), foreign)
        assert response.status_code == 404, f"{probe.method} {key} as {role} on office B's {scope}"
        checked += 1
    assert checked, f"{key}: no probe that some role may use"
    assert traces() == before, "a refused request left a trace on the other office's data"
