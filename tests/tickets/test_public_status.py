import json
import re

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cast import NIK, complaint, nik_with_serial
from tickets import services, tasks
from tickets.signals import code_resend_requested

pytestmark = pytest.mark.django_db
URL = reverse("public_status")
JSON_URL = reverse("public_status_json")
RESEND_URL = reverse("public_resend")
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
# Limits in these tests use a window of 10^9 s: a fixed window that started mid-test would reset
# the count and make the test flaky.


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


@pytest.fixture
def other_ticket(office, clerk):
    return services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(2), full_name="Budi Santoso")
    )


def answer_of(html: str) -> str:
    start = html.find('id="status-answer"')
    return html[start : html.find("<form", start)] if start >= 0 else ""


def test_the_qr_link_prefills_the_code_but_never_asks_the_nik_in_the_url(client, ticket):
    response = client.get(URL, {"kode": ticket.display_code})
    assert f'value="{ticket.display_code}"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_code_without_its_dash_is_prefilled_as_printed_on_the_slip(client, ticket):
    # Slips printed before the QR carried the dash link to ?kode=ABCDEFGHJK.
    html = client.get(URL, {"kode": ticket.code.lower()}).content.decode()
    assert f'value="{ticket.display_code}"' in html


def test_the_code_as_printed_with_its_dash_finds_the_ticket(client, ticket):
    html = client.post(URL, {"nik": NIK, "kode": ticket.display_code}).content.decode()
    assert "S**i R****u" in answer_of(html)


@pytest.mark.parametrize("nik", [NIK[:15], NIK + "1", "3319-0141-0190"])
def test_a_nik_of_the_wrong_length_says_so_beside_the_field(client, ticket, nik):
    response = client.post(URL, {"nik": nik, "kode": ticket.display_code})
    assert response.context["form"].errors["nik"] == ["NIK harus terdiri dari 16 digit angka."]
    html = response.content.decode()
    assert "Data tidak ditemukan" not in html and nik not in html
    assert f'value="{ticket.display_code}"' in html  # the code typed is kept


def test_a_nik_of_the_wrong_length_is_named_in_english_on_the_english_page(client, ticket):
    from tests.helpdesk.test_english import switch_to_english

    switch_to_english(client)
    response = client.post(URL, {"nik": NIK[:15], "kode": ticket.display_code})
    assert response.context["form"].errors["nik"] == ["A NIK must have 16 digits."]


def test_the_json_api_stays_lenient_about_the_nik_length_as_documented(client, ticket):
    body = {"nik": NIK[:15], "kode": ticket.code}
    response = client.post(JSON_URL, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["found"] is False


def test_the_lost_slip_page_names_a_nik_of_the_wrong_length_too(client):
    response = client.post(RESEND_URL, {"nik": NIK[:15]})
    assert response.context["form"].errors["nik"] == ["NIK harus terdiri dari 16 digit angka."]
    assert not response.context.get("sent")


def test_the_right_nik_and_code_show_a_masked_status_with_its_steps(client, ticket):
    response = client.post(URL, {"nik": NIK, "kode": ticket.display_code.lower()})
    html = response.content.decode()
    assert ticket.display_code in html and "S**i R****u" in html
    assert "Menunggu sinkronisasi (maks. 1x24 jam)" in html and "Tidak perlu datang lagi" in html
    assert not SIXTEEN_DIGITS.search(html) and "Siti" not in html and "81234567890" not in html
    assert "Sri" not in html  # no staff names
    assert "no-store" in response["Cache-Control"]


def test_unknown_nik_wrong_code_and_someone_elses_code_get_the_same_answer(client, ticket, other_ticket):
    answers = []
    for nik, code in [(nik_with_serial(99), ticket.code), (NIK, "ABCDEFGHJK"), (NIK, other_ticket.code)]:
        html = client.post(URL, {"nik": nik, "kode": code}).content.decode()
        answers.append(answer_of(html))
    assert answers[0] == answers[1] == answers[2]
    assert "Data tidak ditemukan" in answers[0]


def test_the_three_misses_run_the_same_queries(client, ticket, other_ticket):
    """Same answer in the same time: every miss runs the very same SQL (only parameters differ),
    so neither the answer nor its timing tells an unknown NIK from someone else's code."""

    def statements(nik, code):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.post(URL, {"nik": nik, "kode": code})
        return [re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"]) for query in captured]

    unknown_nik = statements(nik_with_serial(99), ticket.code)
    unknown_code = statements(NIK, "ABCDEFGHJK")
    someone_elses = statements(NIK, other_ticket.code)
    assert unknown_nik == unknown_code == someone_elses


def test_a_resolved_ticket_tells_the_citizen_to_try_the_portal_again(client, ticket):
    from django.utils import timezone

    ticket = services.mark_pushed(ticket=ticket, accepted_at=timezone.now(), sla_due_at=timezone.now())
    services.mark_verified(ticket=ticket)
    html = client.post(URL, {"nik": NIK, "kode": ticket.code}).content.decode()
    assert "Silakan coba login SSCASN kembali" in html


def test_a_rejected_ticket_says_which_documents_to_bring(client, ticket):
    services.reject_ticket(ticket=ticket, actor=None, reason="Pusat menolak: data ganda")
    html = client.post(URL, {"nik": NIK, "kode": ticket.code}).content.decode()
    assert "KK asli, KTP-el" in html and "data ganda" not in html


def test_missing_fields_get_field_errors_not_a_500(client):
    response = client.post(URL, {"nik": "", "kode": ""})
    assert response.status_code == 200
    assert response.content.decode().count("Bidang ini tidak boleh kosong.") == 2


def test_too_many_lookups_from_one_ip_get_a_friendly_429(client, ticket, settings):
    settings.STATUS_RATE_PER_IP = "3/1000000000"
    for _ in range(3):
        assert client.post(URL, {"nik": nik_with_serial(7), "kode": "ABCDEFGHJK"}).status_code == 200
    response = client.post(URL, {"nik": NIK, "kode": ticket.code})
    assert response.status_code == 429 and "Terlalu banyak permintaan" in response.content.decode()
    assert ticket.display_code not in response.content.decode()


def test_too_many_lookups_for_one_nik_from_many_ips_are_limited(client, ticket, settings):
    settings.STATUS_RATE_PER_NIK = "2/1000000000"
    codes = [
        client.post(URL, {"nik": NIK, "kode": "ABCDEFGHJK"}, REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(1, 4)
    ]
    assert codes == [200, 200, 429]


def test_rate_limit_keys_never_hold_a_nik(client, ticket):
    client.post(URL, {"nik": NIK, "kode": "ABCDEFGHJK"})  # a failed look-up: counted for the NIK
    backend = caches["default"]
    if hasattr(backend._cache, "get_client"):  # Redis
        keys = [key.decode() for key in backend._cache.get_client().keys("*")]
    else:  # local memory
        keys = list(backend._cache.keys())
    assert any("ratelimit:status:nik-failed:" in key for key in keys)
    assert not any(NIK in key for key in keys)


class TestJson:
    def post(self, client, body, **extra):
        return client.post(
            JSON_URL,
            data=json.dumps(body) if not isinstance(body, bytes) else body,
            content_type="application/json",
            **extra,
        )

    def test_it_answers_like_the_page(self, client, ticket):
        data = self.post(client, {"nik": NIK, "kode": ticket.code}).json()
        assert data["found"] is True and data["code"] == ticket.display_code and data["status"] == "new"
        assert not SIXTEEN_DIGITS.search(json.dumps(data))

    def test_an_escalated_ticket_answers_every_field_from_one_query(
        self, client, ticket, django_assert_num_queries
    ):
        from datetime import datetime

        from django.utils import timezone

        pushed = services.mark_pushed(ticket=ticket, accepted_at=timezone.now(), sla_due_at=timezone.now())
        escalated = services.escalate_ticket(ticket=pushed, actor=None, reason="Lewat 1x24 jam")
        with django_assert_num_queries(1):
            data = self.post(client, {"nik": NIK, "kode": ticket.code.lower()}).json()
        expected = datetime.fromisoformat(data.pop("expected"))
        assert data == {
            "found": True,
            "code": ticket.display_code,
            "name": "S**i R****u",
            "category": str(escalated.get_category_display()),
            "status": "escalated",
            "status_label": str(escalated.get_status_display()),
            "steps": [
                {"label": "Diterima", "done": True, "current": False},
                {"label": "Dikirim ke pusat", "done": True, "current": False},
                {"label": "Menunggu sinkronisasi (maks. 1x24 jam)", "done": True, "current": True},
                {
                    "label": "Selesai di pusat; SSCASN biasanya menyusul maks. 3x24 jam.",
                    "done": False,
                    "current": False,
                },
                {"label": "Selesai", "done": False, "current": False},
            ],
            "last_change": escalated.updated_at.isoformat(),
            "advice": data["advice"],
        }
        assert "melebihi 1x24 jam" in data["advice"]
        assert expected > escalated.due_at and expected.tzinfo is not None

    def test_a_miss_is_neutral(self, client, ticket):
        assert self.post(client, {"nik": nik_with_serial(5), "kode": ticket.code}).json()["found"] is False

    def test_bad_json_is_a_400_with_a_reason(self, client):
        assert self.post(client, b"{not json").status_code == 400
        assert self.post(client, [1, 2]).status_code == 400
        assert self.post(client, {"nik": ""}).json()["error"] == "invalid"

    def test_it_is_rate_limited_too(self, client, settings):
        settings.STATUS_RATE_PER_IP = "1/1000000000"
        self.post(client, {"nik": NIK, "kode": "ABCDEFGHJK"})
        assert self.post(client, {"nik": NIK, "kode": "ABCDEFGHJK"}).status_code == 429


class TestResend:
    @pytest.fixture(autouse=True)
    def worker_inline(self, monkeypatch):
        """The page publishes tickets.tasks.resend_code; run it here as a worker would."""
        monkeypatch.setattr(
            tasks.resend_code, "apply_async", lambda args, **options: tasks.resend_code(*args)
        )

    def capture(self):
        sent = []

        def receiver(sender, ticket, **kwargs):
            sent.append(ticket.pk)

        code_resend_requested.connect(receiver, weak=False, dispatch_uid="test-resend")
        return sent

    def teardown_method(self):
        code_resend_requested.disconnect(dispatch_uid="test-resend")

    def test_a_known_nik_with_a_phone_gets_its_code_and_the_same_neutral_answer(self, client, ticket):
        sent = self.capture()
        known = client.post(RESEND_URL, {"nik": NIK}).content.decode()
        unknown = client.post(RESEND_URL, {"nik": nik_with_serial(42)}).content.decode()
        assert sent == [ticket.pk]
        assert answer_of(known.replace("resend-answer", "status-answer")) == answer_of(
            unknown.replace("resend-answer", "status-answer")
        )

    def test_resends_are_rate_limited_per_nik(self, client, ticket, settings):
        settings.RESEND_RATE_PER_NIK = "1/1000000000"
        sent = self.capture()
        client.post(RESEND_URL, {"nik": NIK})
        response = client.post(RESEND_URL, {"nik": NIK}, REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 429 and sent == [ticket.pk]
