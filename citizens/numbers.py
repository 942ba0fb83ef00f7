"""NIK and KK numbers for forms and views: citizens.nik's checks with its messages translated.

citizens/nik.py is pure Python and speaks Indonesian msgids; this is where they meet Django's
active language, so a clerk working in English reads English errors and warnings.
"""

from django import forms
from django.utils.translation import gettext
from lokal.phone import parse_phone

from citizens import nik as nikparse


def error_text(exc: nikparse.InvalidNumber) -> str:
    """Return the message of an impossible number in the active language."""
    return gettext(exc.message)


def warning_texts(warnings) -> list[str]:
    """Return nik.py's warnings (Indonesian msgids) in the active language."""
    return [gettext(warning) for warning in warnings]


def field_error(exc: nikparse.InvalidNumber) -> forms.ValidationError:
    return forms.ValidationError(error_text(exc), code=exc.code)


def clean_nik(value: str) -> nikparse.NikInfo:
    """Parse a typed NIK, raising a translated ValidationError when it cannot exist."""
    try:
        return nikparse.parse_nik(value)
    except nikparse.InvalidNumber as exc:
        raise field_error(exc) from None


def clean_kk(value: str) -> nikparse.KkInfo:
    """Parse a typed KK number, raising a translated ValidationError when it cannot exist."""
    try:
        return nikparse.parse_kk(value)
    except nikparse.InvalidNumber as exc:
        raise field_error(exc) from None


def clean_phone(value: str) -> str:
    """Return a typed phone number in E.164 ("" when blank), or raise a ValidationError saying why."""
    value = value.strip()
    if not value:
        return ""
    info = parse_phone(value)
    if not info.valid:
        raise forms.ValidationError(info.errors[0].message, code="phone")
    return info.e164
