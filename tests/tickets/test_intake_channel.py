"""The intake form's channel choice: a channel needs its address, said field by field in Indonesian."""

import pytest

from tests.cast import KK_NEW, NIK
from tickets.forms import IntakeForm

pytestmark = pytest.mark.django_db


def form(**overrides) -> IntakeForm:
    data = {
        "nik": NIK,
        "full_name": "Siti Rahayu",
        "birth_date": "1990-01-01",
        "sex": "P",
        "phone": "081234567890",
        "email": "",
        "kk_number": KK_NEW,
        "kk_number_old": "",
        "category": "new_kk",
        "service": "sscasn",
        "deadline": "",
        "description": "",
        "notify_channel": "",
    }
    return IntakeForm({**data, **overrides})


@pytest.mark.parametrize(
    "channel, missing, error",
    [
        ("whatsapp", {"phone": ""}, "Isi No. HP/WA untuk pemberitahuan lewat WhatsApp atau SMS."),
        ("sms", {"phone": ""}, "Isi No. HP/WA untuk pemberitahuan lewat WhatsApp atau SMS."),
        ("email", {}, "Isi alamat e-mail untuk pemberitahuan lewat e-mail."),
    ],
)
def test_a_channel_without_its_address_is_refused_on_its_field(channel, missing, error):
    refused = form(notify_channel=channel, **missing)
    assert not refused.is_valid() and refused.errors == {"notify_channel": [error]}


def test_a_reachable_choice_goes_into_the_complaint():
    chosen = form(notify_channel="whatsapp")
    assert chosen.is_valid(), chosen.errors
    assert chosen.complaint().notify_channel == "whatsapp"
    office_order = form()
    assert office_order.is_valid() and office_order.complaint().notify_channel == ""
