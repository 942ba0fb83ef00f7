"""Random and hostile values into every form and the JSON endpoint (Hypothesis).

For each form: never a server error; markup typed in comes back escaped, never as markup; and when
the form itself rejects the input, no row anywhere changes (every model of the project's apps is
counted, and the existing ticket and citizen are compared field by field). Each example runs in
its own savepoint, rolled back afterwards, so examples cannot see one another's data.
"""

import contextlib
import json
import os

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from citizens.models import Citizen
from desk.forms import BulkActionForm, ContactForm, CorrectionForm, PeriodForm, ReportFilterForm
from tests.cast import KK_NEW, KK_OLD, NIK
from tests.security.conftest import logged_in
from tickets.forms import IntakeForm, NoteForm, ReasonForm
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

EXAMPLES = 25
# Local runs explore new inputs every time; CI (CI=true) replays the same ones, so a red build
# always means a change, not a lucky draw.
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- hostile values ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
MARKUP = (SCRIPT, IMG)


def _digits(text: str, zero: int) -> str:
    return "".join(chr(zero + int(ch)) if ch.isdigit() else ch for ch in text)


NASTY = [
    SCRIPT,
    IMG,
    f"Siti {SCRIPT}",
    "' OR '1'='1",
    "1; DROP TABLE tickets_ticket;--",
    "%' --",
    "\x00",
    f"{NIK}\x00",
    "a\x00b",
    _digits(NIK, 0xFF10),  # fullwidth: ３３１９…
    _digits(NIK, 0x0660),  # Arabic-Indic: ٣٣١٩…
    _digits(NIK, 0x0966),  # Devanagari
    _digits(NIK, 0x1D7CE),  # mathematical bold
    "\u202e" + NIK,
    NIK + "\u200f",
    "\u202bسيتي\u202c",
    "\ufeff" + NIK,
    NIK[:8] + "\u200b" + NIK[8:],
    "9" * 5000,
    "x" * 10_000,
    NIK * 3,
    "",
    " ",
    "\t\r\n",
    "-1",
    "0",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "null",
    "[]",
    "{}",
    "%s%s%n",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "../../etc/passwd",
    "ABCDE-FGHJK",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "-0001-01-01",
    "1990-13-45",
    "+62 812 3456 7890",
    "+628" + "1" * 40,
    "a@b",
    "x@" + "a" * 300 + ".id",
    "javascript:alert(1)",
    "https://evil.example/",
]
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
hostile = st.one_of(
    st.builds(lambda a, markup, b: a + markup + b, any_text, st.sampled_from(MARKUP), any_text),
    st.sampled_from(NASTY),
    any_text,
    st.builds(lambda a, b, c: a + b + c, any_text, st.sampled_from(NASTY), any_text),
)


def sometimes(valid):
    """A valid value now and then, so a hostile one gets past the fields before it."""
    return st.one_of(st.just(valid), hostile)


# --- what must hold after each request -----------------------------------------------------------

PROJECT_APPS = {"citizens", "tickets", "sync", "notifications", "helpdesk", "desk", "families", "audit"}
# Who looked at what: written by reads, by design (UU PDP). Never counted as "altered".
TRAILS = {"citizens.personaldataaccess", "audit.auditentry"}


def row_counts() -> dict:
    """Count the rows of every model of the project's apps, in one query."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model._meta.label_lower not in TRAILS
    ]
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = cursor.fetchone()
    return {model._meta.label_lower: count for model, count in zip(models, counts, strict=True)}


def fingerprint(world) -> tuple:
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    citizen = Citizen.objects.get(pk=world.citizen.pk)
    return (model_to_dict(ticket), model_to_dict(citizen, exclude=["nik_digest"]), citizen.nik, citizen.phone)


@contextlib.contextmanager
def isolated():
    """Run one example in a savepoint that is always rolled back; start with an empty cache."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def check(response, *, before=None, after=None, valid=None):
    """No server error; markup escaped; nothing altered when the form says the input is invalid."""
    assert response.status_code < 500
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    if content_type.startswith("text/html"):
        for markup in MARKUP:
            assert markup not in text, f"unescaped {markup!r} in the page"
    assert django_settings.SECRET_KEY not in text
    if valid is False:
        assert after == before, "rejected input changed stored data"


def state(world):
    return row_counts(), fingerprint(world)


@pytest.fixture
def as_clerk(clerk):
    """Logged in once per test, outside the examples' savepoints, so every example reuses it."""
    return logged_in(clerk)


@pytest.fixture
def as_supervisor(supervisor):
    return logged_in(supervisor)


# --- the counter ---------------------------------------------------------------------------------


@fuzz
@given(
    nik=sometimes(NIK),
    full_name=sometimes("Siti Rahayu"),
    birth_date=sometimes("1990-01-01"),
    sex=sometimes("P"),
    phone=sometimes(""),
    email=sometimes(""),
    kk_number=sometimes(KK_NEW),
    kk_number_old=sometimes(KK_OLD),
    category=sometimes("new_kk"),
    service=sometimes("sscasn"),
    deadline=sometimes(""),
    description=hostile,
)
def test_intake(
    world,
    as_clerk,
    nik,
    full_name,
    birth_date,
    sex,
    phone,
    email,
    kk_number,
    kk_number_old,
    category,
    service,
    deadline,
    description,
):
    data = dict(
        nik=nik,
        full_name=full_name,
        birth_date=birth_date,
        sex=sex,
        phone=phone,
        email=email,
        kk_number=kk_number,
        kk_number_old=kk_number_old,
        category=category,
        service=service,
        deadline=deadline,
        description=description,
    )
    with isolated():
        before = state(world)
        response = as_clerk.post(reverse("tickets:intake"), data)
        check(response, before=before, after=state(world), valid=IntakeForm(data).is_valid())
        if response.status_code == 302:  # saved: the new ticket's page shows what was typed, escaped
            check(as_clerk.get(response["Location"]))


@fuzz
@given(nik=hostile, birth_date=hostile, sex=hostile)
def test_nik_check(world, as_clerk, nik, birth_date, sex):
    with isolated():
        before = state(world)
        response = as_clerk.post(
            reverse("tickets:nik_check"), {"nik": nik, "birth_date": birth_date, "sex": sex}
        )
        check(response, before=before, after=state(world), valid=False)


@fuzz
@given(nik=hostile, kk_number=hostile)
def test_kk_check(world, as_clerk, nik, kk_number):
    with isolated():
        before = state(world)
        response = as_clerk.post(reverse("tickets:kk_check"), {"nik": nik, "kk_number": kk_number})
        check(response, before=before, after=state(world), valid=False)


@fuzz
@given(q=hostile, status=hostile, category=hostile, service=hostile, sort=hostile, mine=hostile, page=hostile)
def test_queue_search_and_filters(world, as_clerk, q, status, category, service, sort, mine, page):
    with isolated():
        before = state(world)
        client = as_clerk
        filters = {"status": status, "category": category, "service": service, "sort": sort, "mine": mine}
        check(
            client.post(reverse("tickets:queue") + "?" + _query({"page": page}), {"q": q, **filters}),
            before=before,
            after=state(world),
            valid=False,
        )
        check(
            client.get(reverse("tickets:queue"), {**filters, "q": q, "page": page}),
            before=before,
            after=state(world),
            valid=False,
        )


@fuzz
@given(text=hostile)
def test_notes(world, as_clerk, text):
    with isolated():
        before = state(world)
        client = as_clerk
        response = client.post(reverse("tickets:action", args=[world.ticket.code, "note"]), {"text": text})
        valid = NoteForm({"text": text}).is_valid()
        check(response, before=before, after=state(world), valid=valid)
        if valid:
            check(client.get(reverse("tickets:detail", args=[world.ticket.code])))


@fuzz
@given(action=st.sampled_from(["reject", "escalate", "close"]), reason=hostile)
def test_reasons(world, as_supervisor, action, reason):
    with isolated():
        before = state(world)
        client = as_supervisor
        response = client.post(
            reverse("tickets:action", args=[world.ticket.code, action]), {"reason": reason}
        )
        valid = ReasonForm({"reason": reason}).is_valid()
        check(response, before=before, after=state(world), valid=valid)
        if valid:
            check(client.get(reverse("tickets:detail", args=[world.ticket.code])))


@fuzz
@given(code=hostile, action=hostile)
def test_ticket_codes_and_actions_in_the_url(world, as_clerk, code, action):
    from urllib.parse import quote

    with isolated():
        before = state(world)
        path = f"/tiket/{quote(code, safe='')}/aksi/{quote(action, safe='')}/"
        check(
            as_clerk.post(path, {"text": "x", "reason": "x"}), before=before, after=state(world), valid=False
        )


# --- the citizen's pages -------------------------------------------------------------------------


@fuzz
@given(nik=sometimes(NIK), kode=hostile, prefill=hostile)
def test_public_status(world, nik, kode, prefill):
    with isolated():
        before = state(world)
        check(logged_in(None).get(reverse("public_status"), {"kode": prefill}))
        check(
            logged_in(None).post(reverse("public_status"), {"nik": nik, "kode": kode}),
            before=before,
            after=state(world),
            valid=False,
        )


@fuzz
@given(nik=hostile)
def test_resend(world, nik):
    with isolated():
        before = state(world)
        response = logged_in(None).post(reverse("public_resend"), {"nik": nik})
        counts, prints = state(world)
        counts.pop("notifications.notification", None)  # a matching NIK may queue the resend message
        before[0].pop("notifications.notification", None)
        check(response, before=before, after=(counts, prints), valid=False)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | hostile
    | st.sampled_from(["\ud800", NIK + "\udfff"]),  # lone surrogates: valid JSON escapes, invalid UTF-8
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile, inner, max_size=4),
    max_leaves=10,
)


@fuzz
@given(
    body=st.one_of(
        st.fixed_dictionaries({"nik": sometimes(NIK), "kode": hostile}).map(json.dumps),
        st.dictionaries(st.sampled_from(["nik", "kode", "x"]), json_values, max_size=3).map(json.dumps),
        json_values.map(json.dumps),
        hostile,
        st.binary(max_size=200),
    )
)
def test_status_json(world, body):
    with isolated():
        before = state(world)
        response = logged_in(None).post(reverse("public_status_json"), body, content_type="application/json")
        assert response.status_code in (200, 400, 413, 429)
        assert response["Content-Type"].startswith("application/json")
        json.loads(response.content)
        check(response, before=before, after=state(world), valid=False)


# --- supervisors ---------------------------------------------------------------------------------


def _query(params) -> str:
    from django.utils.http import urlencode

    return urlencode(params)


@fuzz
@given(
    period=sometimes("custom"),
    start=hostile,
    end=sometimes("2026-01-31"),
    chart=st.sampled_from(["harian", "status", "kategori", "layanan", "lama-selesai", "beban-petugas"]),
)
def test_dashboard_period(world, as_supervisor, period, start, end, chart):
    params = {"period": period, "start": start, "end": end}
    with isolated():
        before = state(world)
        client = as_supervisor
        check(client.get(reverse("dashboard:index"), params), before=before, after=state(world), valid=False)
        check(
            client.get(reverse("dashboard:chart_csv", args=[chart]), params),
            before=before,
            after=state(world),
            valid=False,
        )
        PeriodForm(params).is_valid()


@fuzz
@given(
    start=sometimes("2026-01-01"),
    end=hostile,
    status=hostile,
    category=hostile,
    service=hostile,
    full_nik=hostile,
    fmt=st.sampled_from(["csv", "xlsx"]),
)
def test_reports_filter(world, as_supervisor, start, end, status, category, service, full_nik, fmt):
    data = {
        "start": start,
        "end": end,
        "status": status,
        "category": category,
        "service": service,
        "full_nik": full_nik,
    }
    with isolated():
        before = state(world)
        client = as_supervisor
        check(client.get(reverse("reports:index"), data), before=before, after=state(world), valid=False)
        response = client.post(reverse(f"reports:{fmt}"), data)
        check(response, before=before, after=state(world), valid=False)
        if not ReportFilterForm(data).is_valid():
            assert response.status_code == 400


@fuzz
@given(nik=hostile)
def test_subject_access_lookup(world, as_supervisor, nik):
    with isolated():
        before = state(world)
        check(
            as_supervisor.post(reverse("subject_access:lookup"), {"nik": nik}),
            before=before,
            after=state(world),
            valid=False,
        )


@fuzz
@given(
    full_name=sometimes("Siti Rahayu"),
    birth_date=sometimes("1990-01-01"),
    sex=sometimes("P"),
    phone=sometimes("+6281234567890"),
    email=sometimes(""),
    reason=hostile,
)
def test_subject_access_correction(world, as_supervisor, full_name, birth_date, sex, phone, email, reason):
    data = dict(full_name=full_name, birth_date=birth_date, sex=sex, phone=phone, email=email, reason=reason)
    with isolated():
        before = state(world)
        client = as_supervisor
        url = reverse("subject_access:detail", args=[world.citizen.pk])
        response = client.post(url, data)
        valid = CorrectionForm(data).is_valid()
        check(response, before=before, after=state(world), valid=valid)
        if valid:
            check(client.get(url))


@fuzz
@given(channel=sometimes("whatsapp"), note=hostile, page=hostile)
def test_escalation_contacted(world, as_supervisor, channel, note, page):
    data = {"channel": channel, "note": note, "page": page}
    with isolated():
        before = state(world)
        client = as_supervisor
        response = client.post(reverse("escalation:contacted", args=[world.ticket.code]), data)
        valid = ContactForm(data).is_valid()
        check(response, before=before, after=state(world), valid=valid)
        check(client.get(reverse("escalation:desk"), {"page": page}))


@fuzz
@given(
    tickets=st.lists(sometimes("TICKET"), max_size=4),
    action=sometimes("close_duplicate"),
    assignee=hostile,
    reason=hostile,
)
def test_escalation_bulk(world, as_supervisor, tickets, action, assignee, reason):
    data = {
        "tickets": [world.ticket.code if t == "TICKET" else t for t in tickets],
        "action": action,
        "assignee": assignee,
        "reason": reason,
    }
    with isolated():
        before = state(world)
        client = as_supervisor
        response = client.post(reverse("escalation:bulk"), data)
        valid = BulkActionForm(data, office=world.ticket.office).is_valid()
        check(response, before=before, after=state(world), valid=valid)
        check(client.get(reverse("escalation:desk")))


# --- families and the audit trail ---------------------------------------------------------------


@fuzz
@given(kk_number=hostile)
def test_family_member_search(world, as_clerk, kk_number):
    with isolated():
        before = state(world)
        check(
            as_clerk.post(reverse("families:find_members"), {"kk_number": kk_number}),
            before=before,
            after=state(world),
            valid=False,
        )


@fuzz
@given(row=sometimes("anggota-0"), nik=hostile, birth_date=hostile, sex=hostile, relation=hostile)
def test_family_member_check(world, as_clerk, row, nik, birth_date, sex, relation):
    data = {"row": row}
    data.update({f"anggota-0-{k}": v for k, v in [("nik", nik), ("birth_date", birth_date), ("sex", sex)]})
    data["anggota-0-relation"] = relation
    with isolated():
        before = state(world)
        response = as_clerk.post(reverse("families:check_member"), data)
        check(response, before=before, after=state(world), valid=False)


@fuzz
@given(
    relation=sometimes("istri"),
    total=sometimes("1"),
    nik=sometimes("3319010101880001"),
    full_name=hostile,
    birth_date=sometimes("1988-01-01"),
    sex=sometimes("L"),
    member_relation=sometimes("kepala"),
    citizen=sometimes(""),
)
def test_family_intake(
    world, as_clerk, relation, total, nik, full_name, birth_date, sex, member_relation, citizen
):
    from families.forms import FamilyIntake

    data = {
        "nik": NIK,
        "full_name": "Siti Rahayu",
        "birth_date": "1990-01-01",
        "sex": "P",
        "phone": "",
        "email": "",
        "kk_number": KK_NEW,
        "kk_number_old": KK_OLD,
        "category": "new_kk",
        "service": "sscasn",
        "deadline": "",
        "description": "",
        "pemohon-relation": relation,
        "anggota-TOTAL_FORMS": total,
        "anggota-INITIAL_FORMS": "0",
        "anggota-MIN_NUM_FORMS": "0",
        "anggota-MAX_NUM_FORMS": "20",
        "anggota-0-citizen": citizen,
        "anggota-0-nik": nik,
        "anggota-0-full_name": full_name,
        "anggota-0-birth_date": birth_date,
        "anggota-0-sex": sex,
        "anggota-0-relation": member_relation,
    }
    with isolated():
        Ticket.objects.filter(pk=world.ticket.pk).update(status="closed")  # the applicant may file again
        before = state(world)
        client = as_clerk
        response = client.post(reverse("families:intake"), data)
        event(f"family intake {response.status_code}")
        check(response, before=before, after=state(world), valid=FamilyIntake(data).is_valid())
        if response.status_code == 302:
            check(client.get(response["Location"]))


@pytest.fixture
def uploads_in_tmp(settings, tmp_path):
    """Uploads are files, which no savepoint rolls back: keep them out of var/."""
    settings.VAR_DIR = tmp_path


csv_row = st.tuples(
    sometimes(KK_NEW),
    sometimes("3319010101880001"),
    st.one_of(hostile, st.sampled_from(['=HYPERLINK("http://evil")', "+1+1", "@SUM(A1)"])),
    sometimes("01/01/1988"),
    sometimes("L"),
    sometimes("Kepala Keluarga"),
    sometimes("15/03/2026"),
)


@fuzz
@given(
    name=st.one_of(
        st.sampled_from(
            ["kk.csv", "kk.xlsx", "../../etc/kk.csv", "<script>.csv", "kk.csv.exe", "kk\x00.csv", "KK.CSV"]
        ),
        hostile.map(lambda t: t[:60] + ".csv"),
    ),
    header=st.booleans(),
    rows=st.lists(csv_row, max_size=6),
    raw=st.one_of(st.none(), st.none(), st.binary(max_size=300)),
)
def test_kk_import_upload_and_validation(world, as_supervisor, uploads_in_tmp, name, header, rows, raw):
    """The upload form, then the validation of what was stored: a hostile file ends as a failed or
    previewed batch, and its cells come back escaped on the batch page."""
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from families import services as family_services
    from families.forms import ImportUploadForm
    from families.models import ImportBatch

    if raw is None:
        text = io.StringIO()
        writer = csv.writer(text)
        if header:
            writer.writerow(
                ["No KK", "NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin", "Hubungan", "Tanggal Terbit"]
            )
        writer.writerows(rows)
        raw = text.getvalue().encode("utf-8", "replace")
    with isolated():
        before = state(world)
        client = as_supervisor
        response = client.post(reverse("families:import_upload"), {"file": SimpleUploadedFile(name, raw)})
        valid = ImportUploadForm({}, {"file": SimpleUploadedFile(name, raw)}).is_valid()
        check(response, before=before, after=state(world), valid=valid)
        if response.status_code == 302:
            batch = ImportBatch.objects.order_by("-pk").first()
            assert "/" not in batch.stored_name and ".." not in batch.stored_name
            for _ in range(5):
                if family_services.validate_batch(batch.pk) != "more":
                    break
            batch.refresh_from_db()
            event(f"batch {batch.status}")
            assert batch.status in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED)
            check(client.get(response["Location"]))


@fuzz
@given(ticket=hostile, staff=hostile, page=hostile)
def test_audit_filter(world, as_supervisor, ticket, staff, page):
    with isolated():
        before = state(world)
        check(
            as_supervisor.get(reverse("audit:entries"), {"ticket": ticket, "staff": staff, "page": page}),
            before=before,
            after=state(world),
            valid=False,
        )


# --- signing in ----------------------------------------------------------------------------------


@fuzz
@given(username=sometimes("petugas"), password=hostile, next_url=hostile)
def test_login_form(world, clerk, username, password, next_url):
    with isolated():
        before = state(world)
        response = logged_in(None).post(
            reverse("login") + "?" + _query({"next": next_url}), {"username": username, "password": password}
        )
        check(response, before=before, after=state(world), valid=False)
        if response.status_code == 302:
            assert not response["Location"].startswith(("http:", "https:", "//", "javascript:"))


@fuzz
@given(token=hostile, next_url=hostile)
def test_two_factor_forms(world, as_supervisor, token, next_url):
    with isolated():
        client = as_supervisor
        for name in ("twofactor:setup", "twofactor:verify"):
            response = client.post(reverse(name), {"token": token, "next": next_url})
            check(response)
            if response.status_code == 302:
                assert not response["Location"].startswith(("http:", "https:", "//", "javascript:"))


@fuzz
@given(language=hostile, next_url=hostile)
def test_language_switch(world, language, next_url):
    with isolated():
        response = logged_in(None).post(reverse("set_language"), {"language": language, "next": next_url})
        check(response)
        if response.status_code == 302:
            assert not response["Location"].startswith(("http:", "https:", "//", "javascript:"))
