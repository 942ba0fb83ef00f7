"""Round two, finding 9: counter PCs are shared, so no response to a signed-in user may be kept by
a browser or proxy cache (ticket detail with the full phone, the NIK reveal, subject access...).
Static files stay cacheable; public answers with personal data are not stored either."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import NIK
from tests.security.conftest import logged_in
from tests.security.matrix import MATRIX, ROLES
from tests.security.test_authorization_matrix import send, url_of

pytestmark = pytest.mark.django_db
# Answered by helpdesk.health.ProbeMiddleware before any session is read: no user, no personal data.
PROBES = {"healthz", "readyz", "healthz_pipeline", "metrics"}


def forbids_storing(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives and response.get("Pragma") == "no-cache"


def _staff_answers():
    """Every probe of the matrix that a signed-in role gets an answer to (any status)."""
    for key, entry in MATRIX.items():
        if key in PROBES:
            continue
        for index, probe in enumerate(entry.probes):
            for role in ROLES[1:]:
                yield pytest.param(key, probe, role, id=f"{key}-{index}-{role}")


@pytest.mark.parametrize("key,probe,role", list(_staff_answers()))
def test_no_answer_to_a_signed_in_user_may_be_stored(key, probe, role, world, role_users):
    target = world.own.with_fresh_ticket() if probe.fresh else world.own
    response = send(logged_in(role_users[role]), probe, url_of(key, probe, target), target)
    assert forbids_storing(response), f"{key} as {role}: {response.get('Cache-Control')!r}"


def test_the_ticket_page_the_nik_reveal_and_subject_access_are_never_stored(world, clerk, supervisor):
    clerk_client, supervisor_client = logged_in(clerk), logged_in(supervisor)
    code = world.ticket.code
    answers = [
        clerk_client.get(reverse("tickets:detail", args=[code])),
        clerk_client.post(reverse("tickets:reveal_nik", args=[code])),
        supervisor_client.get(reverse("subject_access:detail", args=[world.citizen.pk])),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(forbids_storing(a) for a in answers)


def test_the_public_status_answer_is_not_stored_either(client, world):
    response = client.post(reverse("public_status"), {"nik": NIK, "kode": world.ticket.code})
    assert world.ticket.display_code in response.content.decode()
    assert "no-store" in response["Cache-Control"] and response["Pragma"] == "no-cache"


def test_static_files_stay_cacheable_for_a_signed_in_user(clerk, live_server):
    # WhiteNoise answers before the middleware: the live server serves static/ like production.
    client = Client()
    client.force_login(clerk)
    response = client.get("/static/js/sinkron.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "") and "Pragma" not in response
