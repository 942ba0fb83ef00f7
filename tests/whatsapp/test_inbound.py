"""A citizen writes to the office's WhatsApp: CEK <kode>, the NIK when asked, anything else, BERHENTI.
The answers are the status page's, masked, with its limits; no text and no NIK is stored."""

import pytest

from notifications.optout import opted_out
from tests.cast import NIK, complaint, nik_with_serial
from tests.whatsapp.conftest import inbound, signed_post
from tickets import services as ticket_services
from whatsapp import conversation
from whatsapp.models import Contact, InboundMessage, Reply

pytestmark = pytest.mark.django_db
CITIZEN = "6289911112222"


@pytest.fixture
def ticket(office, clerk):
    return ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def write(client, text: str, message_id: str) -> str:
    """Post the citizen's message as the gateway would; return our reply's text."""
    assert signed_post(client, inbound(CITIZEN, text, message_id)).status_code == 200
    return Reply.objects.order_by("-id").first().text


@pytest.mark.parametrize(
    "text, kind, code, nik",
    [
        ("CEK ABCDE-FGHJK", "cek", "ABCDEFGHJK", ""),
        ("cek: abcdefghjk", "cek", "ABCDEFGHJK", ""),
        (f"Cek ABCDE-FGHJK {NIK[:8]} {NIK[8:]}", "cek", "ABCDEFGHJK", NIK),
        (NIK, "nik", "", NIK),
        ("cek", "help", "", ""),
        ("CEK 123", "help", "", ""),
        ("BERHENTI", "stop", "", ""),
        ("Halo, jam buka?", "help", "", ""),
    ],
)
def test_a_message_is_read_as_what_it_asks(text, kind, code, nik):
    assert conversation.read(text) == conversation.Intent(kind, code=code, nik=nik)


def test_cek_asks_for_the_nik_then_answers_like_the_status_page(
    client, ticket, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = write(client, f"CEK {ticket.display_code}", "wamid.in1")
        answer = write(client, NIK, "wamid.in2")

    assert "balas dengan NIK (16 digit) pemilik tiket" in asked and ticket.display_code in asked
    assert f"Tiket {ticket.display_code} atas nama S**i R****u" in answer and "Status: Baru" in answer
    assert "Perkiraan selesai:" in answer and answer.endswith("kata sandi, atau kode OTP.")
    assert NIK not in answer and published["replies"] == list(Reply.objects.values_list("pk", flat=True))
    # What was asked is kept, never the text (a NIK): nothing but the intent.
    assert list(InboundMessage.objects.order_by("id").values_list("intent", flat=True)) == ["cek", "nik"]


def test_a_wrong_code_and_a_wrong_nik_get_the_same_answer(client, ticket):
    write(client, "CEK ZZZZZ-ZZZZZ", "wamid.in1")
    wrong_code = write(client, NIK, "wamid.in2")
    wrong_nik = write(client, f"CEK {ticket.display_code} {nik_with_serial(9)}", "wamid.in3")

    assert wrong_code == wrong_nik
    assert wrong_code.startswith("Data tidak ditemukan. Periksa kembali NIK dan kode tiket")


def test_the_nik_alone_or_after_the_wait_gets_the_help_text(client, ticket, settings):
    settings.WHATSAPP_OFFICE_HOURS = "Senin-Kamis 08.00-14.00 WIB"
    alone = write(client, NIK, "wamid.in1")
    settings.WHATSAPP_CEK_WAIT_SECONDS = -1  # the code waited too long
    write(client, f"CEK {ticket.display_code}", "wamid.in2")
    late = write(client, NIK, "wamid.in3")

    assert alone == late and "Ketik CEK <kode tiket>" in alone and "Senin-Kamis 08.00-14.00 WIB" in alone


def test_failed_look_ups_hit_the_status_pages_limit_per_nik(client, ticket, settings):
    settings.STATUS_RATE_PER_NIK = "2/600"
    answers = [write(client, f"CEK ZZZZZ-ZZZZ{n} {NIK}", f"wamid.in{n}") for n in "23456"]
    assert answers[0].startswith("Data tidak ditemukan")
    assert answers[-1].startswith("Terlalu banyak permintaan")


def test_a_redelivered_message_is_answered_once(client, ticket):
    write(client, "Halo", "wamid.same")
    write(client, "Halo", "wamid.same")
    assert Reply.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_writing_records_the_opt_in_and_berhenti_the_opt_out(client):
    write(client, "Halo", "wamid.in1")
    contact = Contact.objects.get()
    assert contact.opted_in_at and contact.opted_out_at is None and contact.phone_hint == "+62899****2222"
    stopped = write(client, "BERHENTI", "wamid.in2")
    contact.refresh_from_db()
    assert contact.opted_out_at and "tidak akan menerima pesan WhatsApp" in stopped
    assert opted_out("whatsapp", CITIZEN)  # ticket messages to this number skip WhatsApp
    write(client, "Halo lagi", "wamid.in3")
    contact.refresh_from_db()
    assert contact.opted_out_at is None  # writing again is opting in again
    assert not opted_out("whatsapp", CITIZEN)
