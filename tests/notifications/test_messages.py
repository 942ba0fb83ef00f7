"""The texts: code, link, what to do next; masked data only."""

import re

import pytest

from notifications.masking import mask_email, mask_phone
from notifications.messages import compose, status_link
from notifications.models import Notification
from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tests.notifications.fake_gateway import PHONE
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
SIXTEEN_DIGITS = re.compile(r"\d{16}")


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.PUBLIC_BASE_URL = "https://sinkron.kuduskab.go.id/"


# The message to the centre carries the centre's report line in full, by design (its own test:
# tests/whatsapp/test_centre_escalation.py); every message to a citizen carries nothing personal.
@pytest.mark.parametrize("kind", [kind for kind in Kind if kind != Kind.TO_CENTRE])
def test_every_text_has_the_code_and_the_status_link_and_no_personal_data(ticket, kind):
    message = compose(kind, ticket)
    link = f"https://sinkron.kuduskab.go.id/cek-status/?kode={ticket.code}"
    assert status_link(ticket) == link
    assert ticket.display_code in message.text and link in message.text
    assert message.subject and "\n" not in message.subject
    for text in (message.text, message.subject):
        assert not SIXTEEN_DIGITS.search(text)
        assert all(number not in text for number in (NIK, KK_NEW, KK_OLD, NIK[-10:], KK_NEW[-10:]))
        assert PHONE not in text and PHONE[1:] not in text and "081234567890" not in text
        assert "Siti" not in text and "Rahayu" not in text


def test_the_opened_text_promises_one_day(ticket):
    assert "maks. 1x24 jam" in compose(Kind.OPENED, ticket).text


def test_the_resolved_text_names_the_service_to_log_in_to_again(ticket):
    text = compose(Kind.RESOLVED, ticket).text
    assert "Data Anda sudah sinkron di pusat. Silakan coba login SSCASN kembali." in text


def test_the_resolved_text_has_a_fallback_for_other_services(office, clerk):
    ticket = ticket_services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(service="other")
    )
    assert "Silakan coba login layanan tersebut kembali." in compose(Kind.RESOLVED, ticket).text


def test_the_rejected_text_says_what_to_bring_to_the_counter(ticket):
    text = compose(Kind.REJECTED, ticket).text
    assert "loket" in text and "KK asli, KTP-el, dan dokumen pendukung (mis. buku nikah/akta)" in text


def test_the_escalated_text_apologises_and_sets_a_new_expectation(ticket):
    text = compose(Kind.ESCALATED, ticket).text
    assert "Mohon maaf" in text and "paling lambat 1x24 jam berikutnya" in text


def test_the_code_resend_text_gives_the_code(ticket):
    assert f"Kode tiket Anda: {ticket.display_code}." in compose(Kind.CODE_RESEND, ticket).text


@pytest.mark.parametrize(
    "phone,masked",
    [
        ("+6281234567890", "+62812****7890"),
        ("+62812345678901", "+62812****8901"),
        ("081234567890", "08123****7890"),
        ("12345", "****45"),
        ("", ""),
        (None, ""),
    ],
)
def test_phones_are_masked_in_the_middle(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "address,masked",
    [
        ("siti@gmail.com", "s***@gmail.com"),
        ("s@x.id", "s***@x.id"),
        ("no-at-sign", "***"),
        ("", ""),
    ],
)
def test_email_addresses_show_the_first_letter_and_the_domain(address, masked):
    assert mask_email(address) == masked
