"""The accessibility catalogue: how to open every page of the project in a browser, and why the
other URL patterns need no check of their own.

PAGES maps each URL pattern that renders a page to its visits (the page as first shown, and the
states worth a look: form errors, htmx hints, a running SLA). NOT_A_PAGE says why a pattern needs
no check of its own (a JSON or CSV answer, a POST that redirects, an htmx fragment checked inside
its page). tests/security/test_accessibility_coverage.py fails on a URL pattern in neither, and on
a "not a page" that renders one. Who may open a page comes from the authorization matrix
(tests/security/matrix.py): the roles whose GET answers 200 there.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from playwright.sync_api import expect

from tests.cast import NIK
from tests.security.matrix import ADMIN_GROUP, MATRIX, ROLES


def nothing(page) -> None:
    pass


@dataclass(frozen=True)
class Visit:
    query: str = ""  # added to the URL the matrix's GET probe builds
    then: Callable = nothing  # (page) -> None: what to do on the page before the check
    roles: tuple[str, ...] | None = None  # None: the roles the matrix lets GET it with 200
    every_role: bool = False  # also as each further role (in Indonesian): what differs by role
    label: str = ""
    path: Callable | None = None  # (Objects) -> path, instead of the matrix's URL


def submit_empty(page) -> None:
    page.locator("main form[method=post] [type=submit]").last.click()
    expect(page.locator(".invalid-feedback, .alert-danger, .errorlist").first).to_be_visible()


def ask_status(page) -> None:
    page.locator("#id_nik").fill(NIK)
    page.locator("main form [type=submit]").click()
    expect(page.locator("#status-answer")).to_be_visible()


def wrong_password(page) -> None:
    page.locator("#id_username").fill("petugas")
    page.locator("#id_password").fill("salah-sandi")
    page.locator("main [type=submit]").click()
    expect(page.locator(".alert-danger, .invalid-feedback, .errorlist").first).to_be_visible()


def with_hints(page) -> None:
    """The intake form after the NIK check answered (htmx) and an empty save."""
    page.locator("#id_nik").fill("3319014101900000")
    page.locator("#id_nik").press("Tab")
    expect(page.locator("#nik-info")).not_to_be_empty()
    submit_empty(page)


def sync_panel_loaded(page) -> None:
    expect(page.locator("#sync-panel")).to_be_visible()
    reveal = page.locator("#nik-cell button")
    if reveal.count():  # the reading roles (province, national) may not reveal a NIK
        reveal.click()  # the recorded reveal, an htmx swap
        expect(page.locator("#nik-full")).to_be_visible()


PAGES: dict[str, list[Visit]] = {
    "home": [Visit()],
    "login": [Visit(), Visit(then=wrong_password, label="wrong password")],
    "public_status": [Visit(), Visit(then=submit_empty, label="empty form")],
    "public_resend": [Visit(), Visit(then=submit_empty, label="empty form")],
    "twofactor:setup": [Visit()],
    "tickets:queue": [Visit(every_role=True), Visit(query="?status=new&overdue=on", label="filtered")],
    "tickets:intake": [Visit(), Visit(then=with_hints, label="hints and errors")],
    "tickets:alerts": [Visit()],
    "tickets:detail": [
        Visit(then=sync_panel_loaded, every_role=True),
        Visit(
            path=lambda o: reverse("tickets:detail", args=[o.sent_ticket.code]),
            then=sync_panel_loaded,
            label="sent, SLA passed",
        ),
        Visit(
            path=lambda o: reverse("tickets:detail", args=[o.blocked_ticket.code]),
            label="action needed: documents",
        ),
    ],
    "tickets:slip": [Visit()],
    "dashboard:index": [Visit()],  # with its charts drawn: tests/e2e/test_supervisor_escalation.py
    "escalation:desk": [Visit()],
    "reports:index": [Visit(), Visit(query="?start=2000-01-01&end=2000-01-31", label="a period")],
    "subject_access:lookup": [Visit()],
    "subject_access:detail": [Visit()],
    "audit:entries": [Visit()],
    "families:intake": [Visit()],
    "families:group": [Visit()],
    "families:slip": [Visit()],
    "families:import_upload": [Visit()],
    "families:import_batch": [Visit()],
    "families:import_tickets": [Visit()],
    "offices:rollup": [Visit(), Visit(query="?urut=overdue&arah=turun&period=30", label="sorted")],
    ADMIN_GROUP: [
        Visit(path=lambda o: "/admin/", roles=("admin",)),
        Visit(path=lambda o: "/admin/tickets/ticket/", roles=("admin",)),
        Visit(path=lambda o: "/admin/auth/user/add/", roles=("admin",)),
    ],
    # Last: once the supervisor has a device, every staff page asks for the code first.
    "twofactor:verify": [Visit(roles=("supervisor",), label="enrolled")],
}

# Pages with no URL pattern of their own.
OTHER_PAGES = [
    Visit(path=lambda o: "/tidak-ada-halaman-ini/", roles=("anonymous",), label="404"),
    Visit(path=lambda o: reverse("dashboard:index"), roles=("clerk",), label="403"),
    Visit(
        path=lambda o: reverse("public_status") + f"?kode={o.ticket.code}",
        then=ask_status,
        roles=("anonymous",),
        label="status answer",
    ),
]

NOT_A_PAGE = {
    "healthz": "a probe's JSON",
    "readyz": "a probe's JSON",
    "healthz_pipeline": "a probe's JSON",
    "metrics": "Prometheus text",
    "favicon": "a redirect to the icon",
    "logout": "POST, then a redirect",
    "set_language": "POST, then a redirect",
    "public_status_json": "JSON API",
    "queue_bulk": "POST, then a redirect to the queue",
    "tickets:nik_check": "htmx fragment of tickets:intake (checked there with its hints)",
    "tickets:kk_check": "htmx fragment of tickets:intake (checked there with its hints)",
    "tickets:alerts_read": "POST, then a redirect",
    "tickets:reveal_nik": "htmx fragment of tickets:detail (checked there, revealed)",
    "tickets:action": "POST, then a redirect to tickets:detail",
    "sync:panel": "htmx fragment of tickets:detail (checked there, loaded)",
    "sync:check_now": "POST, then a redirect",
    "sync:repush": "POST, then a redirect",
    "dashboard:chart_csv": "CSV download",
    "escalation:bulk": "POST, then a redirect",
    "escalation:message": "htmx fragment of escalation:desk",
    "escalation:contacted": "POST, then a redirect",
    "reports:csv": "CSV download",
    "reports:xlsx": "XLSX download",
    "subject_access:export_json": "JSON download",
    "families:find_members": "htmx fragment of families:intake",
    "families:check_member": "htmx fragment of families:intake",
    "families:group_progress": "htmx fragment of families:group",
    "families:import_progress": "htmx fragment of families:import_batch",
    "families:import_confirm": "POST, then a redirect",
    "families:import_retry": "POST, then a redirect",
    "documents:upload": "POST, then a redirect to tickets:detail (its form is checked there)",
    "documents:show": "the document itself (an image or a PDF)",
    "documents:thumbnail": "an image",
    "sync:block_action": "POST, then a redirect to tickets:detail",
    "escalation:send_whatsapp": "POST, then a redirect to escalation:desk",
    "offices:rollup_csv": "CSV download",
    "whatsapp:webhook": "the gateway's JSON webhook",
}


def first_get(key):
    return next(p for p in MATRIX[key].probes if p.method == "GET" and not p.path)


def roles_of(key: str, visit: Visit) -> tuple[str, ...]:
    """The roles the matrix lets open the page, least privileged first."""
    if visit.roles is not None:
        return visit.roles
    return tuple(role for role in ROLES if first_get(key).expected[role] == 200)


def url_of(key: str, visit: Visit, objects) -> str:
    if visit.path is not None:
        return visit.path(objects)
    return reverse(key, kwargs=first_get(key).args(objects)) + visit.query


def visits_for(role: str, language: str) -> list[tuple[str, Visit]]:
    """What `role` opens: every page in both languages as the first role that may open it; the
    pages whose menu and actions differ by role (every_role) also as each further role, in
    Indonesian. (Role changes the navbar and the actions, the language only the words; checking
    every page as every role in both languages would cost minutes of test time for no new markup.)"""
    chosen = []
    for key, visits in list(PAGES.items()) + [("(other)", OTHER_PAGES)]:
        for visit in visits:
            roles = visit.roles if key == "(other)" else roles_of(key, visit)
            first = roles[:1] == (role,)
            if role in roles and (first or (visit.every_role and language == "id")):
                chosen.append((key, visit))
    return chosen
