"""WCAG 2.2 AA on every page: axe-core finds no critical or serious violation on any page of the
project (tests/e2e/pages.py), as each role that can open it, in Indonesian and in English.

Indonesian is checked as each role the matrix lets open the page, English as the first of them
(the words change, the markup does not). Every violation, all impacts, is summed up per page in
$SINKRON_VAR_DIR/e2e/axe-<role>.json.
"""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from helpdesk.models import EncryptedTOTPDevice
from tests.e2e import accessibility
from tests.e2e.conftest import SHOTS_DIR
from tests.e2e.pages import nothing, url_of, visits_for
from tests.security import conftest as security
from tickets import services

pytestmark = pytest.mark.e2e
# The security tests' world: a ticket, citizen, family group and import batch in office A; the cast
# plus an admin, one user per role.
world, admin, role_users = security.world, security.admin, security.role_users


@pytest.fixture
def objects(world, clerk):
    """Office A's objects, plus a ticket sent 30 hours ago (its SLA passed: on the escalation desk) and
    one waiting for the citizen's documents."""
    own = world.own
    sent = own.with_fresh_ticket().ticket
    at = timezone.now() - dt.timedelta(hours=30)
    own.sent_ticket = services.mark_pushed(
        ticket=sent, accepted_at=at, sla_due_at=at + dt.timedelta(hours=24)
    )
    # A ticket the centre refused for want of documents: the block, its action and the upload.
    own.blocked_ticket = services.mark_action_needed(
        ticket=own.with_fresh_ticket().ticket,
        reason_code="documents_required",
        message="Pusat belum mengenal NIK ini: dokumen diperlukan.",
    )
    assert own.group and own.batch  # made now (cached), not in the middle of the visits
    return own


@pytest.mark.parametrize("role", ["anonymous", "clerk", "supervisor", "admin", "province", "national"])
def test_no_page_has_a_critical_or_serious_violation(browser, live_server, objects, role_users, role):
    watch = accessibility.current()
    seen = []
    for language in ("id", "en"):
        context = browser.new_context(
            locale="id-ID", timezone_id="Asia/Jakarta", viewport={"width": 1280, "height": 900}
        )
        cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
        if role_users[role] is not None:
            cookies.append({"name": "sessionid", "value": _session(role_users[role]), "url": live_server.url})
        context.add_cookies(cookies)
        page = context.new_page()
        try:
            for key, visit in visits_for(role, language):
                if key == "twofactor:verify":
                    EncryptedTOTPDevice.objects.get_or_create(
                        user=role_users[role], name="Sinkron", confirmed=True
                    )
                response = page.goto(live_server.url + url_of(key, visit, objects))  # checked after goto
                assert response.status in (200, 403, 404), (key, visit.label, response.status)
                if visit.then is not nothing:
                    visit.then(page)
                    watch.check(page)
                seen.append(f"{language} {key} {visit.label}".strip())
        finally:
            context.close()
    _write_summary(role, seen, watch)
    assert seen, "no page for this role"


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _write_summary(role, seen, watch) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    summary = {"visits": seen, "checked": watch.checked, "by_page": watch.counts}
    (SHOTS_DIR / f"axe-{role}.json").write_text(json.dumps(summary, indent=1, sort_keys=True))
