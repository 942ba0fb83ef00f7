"""The authorization matrix: every URL pattern of the project, and what each role must get back.

Keys are the namespaced URL names ("tickets:detail"); an unnamed pattern is keyed by its route.
Everything in the admin site is one group, "admin:*", checked on a few representative pages.
Expected answers:
  200 / 204 / 400 / 403 / 404 / 405 - that status code;
  "login"       - 302 to the staff login page (?next=...);
  "admin-login" - 302 to the admin's login page;
  "redirect"    - any other 302;
  a tuple       - any one of these (only where the answer depends on the machine, never on the role).
A new URL pattern without an entry here fails tests/security/test_authorization_matrix.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

# "province" is the Central Java provincial supervisor, "national" the national read-only role: both
# read office A (Kudus, Central Java) and write nothing, so the matrix gives them one answer, `readers`.
ROLES = ("anonymous", "clerk", "supervisor", "admin", "province", "national")
ADMIN_GROUP = "admin:*"


def expect(anonymous, clerk, supervisor, admin, *, readers) -> dict:
    return dict(zip(ROLES, (anonymous, clerk, supervisor, admin, readers, readers), strict=True))


PUBLIC_200 = expect(200, 200, 200, 200, readers=200)
STAFF_PAGE = expect("login", 200, 200, 200, readers=200)
SUPERVISOR_PAGE = expect("login", 403, 200, 200, readers=200)
STAFF_GET_ON_POST_ONLY = expect("login", 405, 405, 405, readers=405)
SUPERVISOR_GET_ON_POST_ONLY = expect("login", 403, 405, 405, readers=405)
# Pages that only serve a change (intake and its checks, a reveal for the centre, an upload): the
# reading roles get the 403 page that says so.
COUNTER_WRITE_PAGE = expect("login", 200, 200, 200, readers=403)
SUPERVISOR_WRITE_PAGE = expect("login", 403, 200, 200, readers=403)
ROLLUP_PAGE = expect("login", 403, 403, 200, readers=200)


@dataclass(frozen=True)
class Probe:
    """One request: method, URL arguments built from the test world, form data, expected answers."""

    method: str
    expected: dict
    args: Callable = lambda o: {}  # (Objects of one office) -> URL kwargs
    data: Callable = lambda o: {}
    path: str | None = None  # a literal path instead of reverse(name, kwargs=args(...))
    json: bool = False  # send data as a JSON body
    meta: dict = field(default_factory=dict)  # extra request.META, e.g. REMOTE_ADDR
    fresh: bool = False  # run on a ticket of its own: the probe may end the ticket's life
    note: str = ""


@dataclass(frozen=True)
class Entry:
    probes: list[Probe]
    # What the URL's parameters point at ("ticket", "citizen", "group", "batch"): all office-scoped;
    # the object-level test asks for another office's object and expects 404.
    scope: str | None = None
    extra: dict = field(default_factory=dict)


def code(o):
    return {"code": o.ticket.code}


def document_upload(o):
    from tests.documents.files import image_bytes, upload

    return {"dokumen-kind": "kk", "dokumen-file": upload(image_bytes("PNG"), "kk.png")}


def document_token(o):
    return {"token": o.document.token}


def citizen_pk(o):
    return {"pk": o.citizen.pk}


def group_pk(o):
    return {"pk": o.group.pk}


def batch_pk(o):
    return {"pk": o.batch.pk}


def action(name):
    return lambda o: {"code": o.ticket.code, "action": name}


def report_filter(o):
    return {
        "start": o.ticket.created_at.date().replace(day=1).isoformat(),
        "end": o.ticket.created_at.date().isoformat(),
    }


MATRIX: dict[str, Entry] = {
    # --- public --------------------------------------------------------------------------------
    "home": Entry([Probe("GET", expect(200, "redirect", "redirect", "redirect", readers="redirect"))]),
    "healthz": Entry([Probe("GET", PUBLIC_200), Probe("POST", expect(405, 405, 405, 405, readers=405))]),
    # Readiness and pipeline probes say what the machine can do (503 when e.g. the registry or the
    # worker is down, as in this test run); who asks never matters.
    "readyz": Entry([Probe("GET", expect(*[(200, 503)] * 4, readers=(200, 503)))]),
    "healthz_pipeline": Entry([Probe("GET", expect(*[(200, 503)] * 4, readers=(200, 503)))]),
    # /metrics: loopback scrapers only (or a bearer token); a session never opens it.
    "metrics": Entry(
        [
            Probe("GET", PUBLIC_200),
            Probe("GET", expect(403, 403, 403, 403, readers=403), meta={"REMOTE_ADDR": "10.0.0.5"}),
        ]
    ),
    "login": Entry([Probe("GET", expect(200, "redirect", "redirect", "redirect", readers="redirect"))]),
    "favicon": Entry([Probe("GET", expect(301, 301, 301, 301, readers=301))]),
    "logout": Entry(
        [
            Probe("GET", expect(405, 405, 405, 405, readers=405)),
            Probe("POST", expect(*["redirect"] * 4, readers="redirect")),
        ]
    ),
    "set_language": Entry(
        [
            Probe(
                "POST",
                expect(*["redirect"] * 4, readers="redirect"),
                data=lambda o: {"language": "en", "next": "/"},
            )
        ]
    ),
    "public_status": Entry(
        [
            Probe("GET", PUBLIC_200),
            Probe("POST", PUBLIC_200, data=lambda o: {"nik": o.citizen.nik, "kode": o.ticket.code}),
        ]
    ),
    "public_resend": Entry(
        [Probe("GET", PUBLIC_200), Probe("POST", PUBLIC_200, data=lambda o: {"nik": o.citizen.nik})]
    ),
    # The gateway's webhook: Meta's handshake needs our verify token, a POST our app secret's
    # signature; a session changes nothing.
    "whatsapp:webhook": Entry(
        [
            Probe("GET", expect(403, 403, 403, 403, readers=403), note="no verify token"),
            Probe("POST", expect(403, 403, 403, 403, readers=403), json=True, note="unsigned"),
        ]
    ),
    "public_status_json": Entry(
        [
            Probe("GET", expect(405, 405, 405, 405, readers=405)),
            Probe(
                "POST", PUBLIC_200, data=lambda o: {"nik": o.citizen.nik, "kode": o.ticket.code}, json=True
            ),
        ]
    ),
    # --- two-factor ----------------------------------------------------------------------------
    "twofactor:setup": Entry([Probe("GET", expect("login", 403, 200, 200, readers=200))]),
    # Nobody in the cast has a device: staff go on to their queue, supervisors to the setup page.
    "twofactor:verify": Entry(
        [Probe("GET", expect("login", "redirect", "redirect", "redirect", readers="redirect"))]
    ),
    # --- the counter ---------------------------------------------------------------------------
    "tickets:queue": Entry(
        [Probe("GET", STAFF_PAGE), Probe("POST", STAFF_PAGE, data=lambda o: {"q": o.citizen.nik})]
    ),
    "tickets:intake": Entry([Probe("GET", COUNTER_WRITE_PAGE)]),
    "tickets:nik_check": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY),
            Probe("POST", COUNTER_WRITE_PAGE, data=lambda o: {"nik": o.citizen.nik}),
        ]
    ),
    "queue_bulk": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY),
            Probe(
                "POST",
                expect("login", "redirect", "redirect", "redirect", readers=403),
                data=lambda o: {"tickets": [o.ticket.code], "action": "take"},
            ),
        ]
    ),
    "tickets:alerts": Entry([Probe("GET", STAFF_PAGE)]),
    "tickets:alerts_read": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY),
            Probe("POST", expect("login", "redirect", "redirect", "redirect", readers="redirect")),
        ]
    ),
    "tickets:kk_check": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY),
            Probe(
                "POST",
                COUNTER_WRITE_PAGE,
                data=lambda o: {"nik": o.citizen.nik, "kk_number": o.ticket.kk_number},
            ),
        ]
    ),
    "tickets:detail": Entry([Probe("GET", STAFF_PAGE, args=code)], scope="ticket"),
    "tickets:reveal_nik": Entry(
        [Probe("GET", STAFF_GET_ON_POST_ONLY, args=code), Probe("POST", COUNTER_WRITE_PAGE, args=code)],
        scope="ticket",
    ),
    "tickets:slip": Entry([Probe("GET", STAFF_PAGE, args=code)], scope="ticket"),
    "documents:upload": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY, args=code),
            Probe(
                "POST",
                expect("login", 400, 400, 400, readers=403),
                args=code,
                note="no file chosen: said on the page",
            ),
            Probe(
                "POST",
                expect("login", "redirect", "redirect", "redirect", readers=403),
                args=code,
                data=document_upload,
            ),
        ],
        scope="ticket",
    ),
    "documents:show": Entry([Probe("GET", STAFF_PAGE, args=document_token)], scope="document"),
    "documents:thumbnail": Entry([Probe("GET", STAFF_PAGE, args=document_token)], scope="document"),
    "tickets:action": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY, args=action("note")),
            Probe(
                "POST",
                expect("login", "redirect", "redirect", "redirect", readers=403),
                args=action("note"),
                data=lambda o: {"text": "Pemohon datang lagi."},
            ),
            Probe(
                "POST", expect("login", "redirect", "redirect", "redirect", readers=403), args=action("take")
            ),
            Probe(
                "POST",
                expect("login", "redirect", "redirect", "redirect", readers=403),
                args=action("reject"),
                fresh=True,
                data=lambda o: {"reason": "Dokumen tidak lengkap."},
            ),
            Probe(
                "POST",
                expect("login", 403, "redirect", "redirect", readers=403),
                args=action("close"),
                fresh=True,
                data=lambda o: {"reason": "Duplikat."},
                note="closing is for supervisors",
            ),
            Probe(
                "POST",
                expect("login", 403, "redirect", "redirect", readers=403),
                args=action("escalate"),
                fresh=True,
                data=lambda o: {"reason": "Mendesak."},
            ),
            Probe(
                "POST",
                expect("login", "redirect", "redirect", "redirect", readers=403),
                args=action("resolve"),
                fresh=True,
                data=lambda o: {"reason": "x"},
                note="a new ticket cannot be resolved yet: back to the ticket with a message, not a 403",
            ),
            Probe(
                "POST",
                expect("login", 403, 403, 403, readers=403),
                args=action("hapus"),
                note="no such action",
            ),
        ],
        scope="ticket",
    ),
    "sync:panel": Entry([Probe("GET", STAFF_PAGE, args=code)], scope="ticket"),
    "sync:check_now": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY, args=code),
            Probe("POST", expect("login", "redirect", "redirect", "redirect", readers=403), args=code),
        ],
        scope="ticket",
    ),
    "sync:repush": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY, args=code),
            Probe("POST", expect("login", "redirect", "redirect", "redirect", readers=403), args=code),
        ],
        scope="ticket",
    ),
    # A clerk's action on a "Perlu tindakan" ticket: on a ticket without a block, a redirect with
    # the reason; an unknown action is a 404.
    "sync:block_action": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY, args=action("resubmit")),
            Probe(
                "POST",
                expect("login", "redirect", "redirect", "redirect", readers=403),
                args=action("resubmit"),
            ),
            Probe("POST", expect("login", 404, 404, 404, readers=403), args=action("delete")),
        ],
        scope="ticket",
    ),
    # --- supervisors ---------------------------------------------------------------------------
    # A reader of many offices (provincial, national) names the office: ?kantor= (the roll-up's
    # drill-down); without one the dashboard sends them to the roll-up.
    "dashboard:index": Entry(
        [
            Probe("GET", expect("login", 403, 200, 200, readers="redirect")),
            Probe("GET", SUPERVISOR_PAGE, path="/dasbor/?kantor=3319"),
            Probe("GET", expect("login", 403, 404, 404, readers=404), path="/dasbor/?kantor=3578"),
        ]
    ),
    "dashboard:chart_csv": Entry(
        [
            Probe("GET", expect("login", 403, 200, 200, readers=404), args=lambda o: {"chart": "harian"}),
            Probe("GET", SUPERVISOR_PAGE, path="/dasbor/data/harian.csv?kantor=3319"),
            Probe("GET", expect("login", 403, 404, 404, readers=404), args=lambda o: {"chart": "rahasia"}),
        ]
    ),
    "escalation:desk": Entry([Probe("GET", SUPERVISOR_PAGE)]),
    "escalation:bulk": Entry(
        [
            Probe("GET", SUPERVISOR_GET_ON_POST_ONLY),
            Probe(
                "POST",
                expect("login", 403, "redirect", "redirect", readers=403),
                data=lambda o: {"tickets": [o.ticket.code], "action": "check"},
            ),
        ]
    ),
    "escalation:message": Entry(
        [
            Probe("GET", SUPERVISOR_GET_ON_POST_ONLY, args=code),
            Probe("POST", SUPERVISOR_WRITE_PAGE, args=code),
        ],
        scope="ticket",
    ),
    "escalation:send_whatsapp": Entry(
        [
            Probe("GET", SUPERVISOR_GET_ON_POST_ONLY, args=code),
            Probe("POST", expect("login", 403, "redirect", "redirect", readers=403), args=code),
        ],
        scope="ticket",
    ),
    "escalation:contacted": Entry(
        [
            Probe("GET", SUPERVISOR_GET_ON_POST_ONLY, args=code),
            Probe(
                "POST",
                expect("login", 403, "redirect", "redirect", readers=403),
                args=code,
                data=lambda o: {"channel": "whatsapp", "note": "Sudah dihubungi."},
            ),
        ],
        scope="ticket",
    ),
    "reports:index": Entry(
        [
            Probe("GET", SUPERVISOR_PAGE),
            Probe("GET", SUPERVISOR_PAGE, path="/laporan/?start=2000-01-01&end=2000-01-31"),
        ]
    ),
    "reports:csv": Entry(
        [Probe("GET", SUPERVISOR_GET_ON_POST_ONLY), Probe("POST", SUPERVISOR_PAGE, data=report_filter)]
    ),
    "reports:xlsx": Entry(
        [Probe("GET", SUPERVISOR_GET_ON_POST_ONLY), Probe("POST", SUPERVISOR_PAGE, data=report_filter)]
    ),
    "subject_access:lookup": Entry(
        [
            Probe("GET", SUPERVISOR_PAGE),
            Probe(
                "POST",
                expect("login", 403, "redirect", "redirect", readers="redirect"),
                data=lambda o: {"nik": o.citizen.nik},
            ),
        ]
    ),
    "subject_access:detail": Entry([Probe("GET", SUPERVISOR_PAGE, args=citizen_pk)], scope="citizen"),
    "subject_access:export_json": Entry(
        [
            Probe("GET", SUPERVISOR_GET_ON_POST_ONLY, args=citizen_pk),
            Probe("POST", SUPERVISOR_PAGE, args=citizen_pk),
        ],
        scope="citizen",
    ),
    # --- the hierarchy: the roll-up of many offices, for the reading roles and admins -----------
    "offices:rollup": Entry(
        [
            Probe("GET", ROLLUP_PAGE),
            Probe("GET", ROLLUP_PAGE, path="/wilayah/?urut=overdue&arah=turun&period=30"),
            Probe("GET", ROLLUP_PAGE, path="/wilayah/?urut=rahasia&provinsi=99&period=x"),
        ]
    ),
    "offices:rollup_csv": Entry(
        [Probe("GET", ROLLUP_PAGE), Probe("POST", expect("login", 403, 405, 405, readers=405))]
    ),
    "audit:entries": Entry(
        [Probe("GET", SUPERVISOR_PAGE), Probe("POST", expect("login", 403, 405, 405, readers=405))]
    ),
    # --- families: the family complaint at the counter, the proactive KK import for supervisors --
    "families:intake": Entry([Probe("GET", COUNTER_WRITE_PAGE)]),
    "families:find_members": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY),
            Probe("POST", COUNTER_WRITE_PAGE, data=lambda o: {"kk_number": o.ticket.kk_number}),
        ]
    ),
    "families:check_member": Entry(
        [
            Probe("GET", STAFF_GET_ON_POST_ONLY),
            Probe(
                "POST",
                COUNTER_WRITE_PAGE,
                data=lambda o: {"row": "anggota-0", "anggota-0-nik": o.citizen.nik},
            ),
        ]
    ),
    "families:group": Entry([Probe("GET", STAFF_PAGE, args=group_pk)], scope="group"),
    "families:group_progress": Entry([Probe("GET", STAFF_PAGE, args=group_pk)], scope="group"),
    "families:slip": Entry([Probe("GET", STAFF_PAGE, args=group_pk)], scope="group"),
    "families:import_upload": Entry([Probe("GET", SUPERVISOR_WRITE_PAGE)]),
    "families:import_batch": Entry([Probe("GET", SUPERVISOR_PAGE, args=batch_pk)], scope="batch"),
    "families:import_progress": Entry([Probe("GET", SUPERVISOR_PAGE, args=batch_pk)], scope="batch"),
    "families:import_tickets": Entry([Probe("GET", SUPERVISOR_PAGE, args=batch_pk)], scope="batch"),
    "families:import_confirm": Entry(
        [
            Probe("GET", SUPERVISOR_GET_ON_POST_ONLY, args=batch_pk),
            Probe("POST", expect("login", 403, "redirect", "redirect", readers=403), args=batch_pk),
        ],
        scope="batch",
    ),
    "families:import_retry": Entry(
        [
            Probe("GET", SUPERVISOR_GET_ON_POST_ONLY, args=batch_pk),
            Probe("POST", expect("login", 403, "redirect", "redirect", readers=403), args=batch_pk),
        ],
        scope="batch",
    ),
    # --- the Django admin: admins only (is_staff); supervisors and clerks are sent to its login --
    ADMIN_GROUP: Entry(
        [
            Probe(
                "GET",
                expect("admin-login", "admin-login", "admin-login", 200, readers="admin-login"),
                path="/admin/",
            ),
            Probe(
                "GET",
                expect("admin-login", "admin-login", "admin-login", 200, readers="admin-login"),
                path="/admin/tickets/ticket/",
            ),
            Probe(
                "GET",
                expect("admin-login", "admin-login", "admin-login", 200, readers="admin-login"),
                path="/admin/auth/user/",
            ),
            Probe(
                "GET",
                expect("admin-login", "admin-login", "admin-login", 200, readers="admin-login"),
                path="/admin/axes/accessattempt/",
            ),
            Probe(
                "GET",
                expect("admin-login", "admin-login", "admin-login", 200, readers="admin-login"),
                path="/admin/helpdesk/encryptedtotpdevice/",
            ),
            Probe("GET", expect(200, 200, 200, "redirect", readers=200), path="/admin/login/"),
        ]
    ),
}


@dataclass(frozen=True)
class Pattern:
    key: str  # the MATRIX key
    route: str  # the full route, for messages
    converters: tuple[str, ...]


def walk(patterns=None, prefix="", namespaces=()) -> list[Pattern]:
    """Return every URL pattern of the project (recursively through include()), admin ones grouped."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespaces + ((entry.namespace,) if entry.namespace else ())
            if inner[:1] == ("admin",):
                found.append(Pattern(ADMIN_GROUP, route, ()))
                continue
            found.extend(walk(entry.url_patterns, route, inner))
        elif isinstance(entry, URLPattern):
            key = ":".join(namespaces + (entry.name,)) if entry.name else route
            converters = tuple(entry.pattern.converters) if hasattr(entry.pattern, "converters") else ()
            found.append(Pattern(key, route, converters))
    unique = {}
    for pattern in found:
        unique.setdefault(pattern.key, pattern)
    return list(unique.values())
