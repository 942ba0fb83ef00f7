"""The public pages' form fields rendered by Jinja2 (`{% form_fields %}`) are the markup crispy-forms
writes: the same elements, attributes, ARIA links and texts, in every state of the form."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.template import engines
from django.utils import translation

from tickets.public_views import ResendForm, StatusPageForm

VALID_NIK = "3319014101900001"


class _Tree(HTMLParser):
    """Elements as (tag, sorted attributes) and texts, whitespace collapsed: what a browser builds."""

    def __init__(self):
        super().__init__()
        self.items = []

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, sorted((name, " ".join((value or "").split())) for name, value in attrs)))

    def handle_endtag(self, tag):
        self.items.append(("/" + tag,))

    def handle_data(self, data):
        if data.split():
            self.items.append(" ".join(data.split()))


def _tree(html: str) -> list:
    parser = _Tree()
    parser.feed(html)
    return parser.items


def _render(source: str, form) -> str:
    return engines["django"].from_string(source).render({"form": form})


FORMS = {
    "empty": lambda: StatusPageForm(),
    "code from the slip's QR": lambda: StatusPageForm(initial={"kode": "ABCDE-FGHJK"}),
    "both fields wrong": lambda: StatusPageForm({"nik": "12", "kode": ""}),
    "one field wrong, markup in the other": lambda: StatusPageForm({"nik": "12", "kode": '"><b>x</b>'}),
    "valid": lambda: StatusPageForm({"nik": VALID_NIK, "kode": "ABCDE-FGHJK"}),
    "lost slip, wrong NIK": lambda: ResendForm({"nik": "1234"}),
    "lost slip, empty": lambda: ResendForm(),
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("state", FORMS)
def test_the_fields_are_the_markup_crispy_writes(state, language):
    form = FORMS[state]()
    with translation.override(language):
        crispy = _render("{% load crispy_forms_tags %}{{ form|crispy }}", form)
        jinja = _render("{% load sinkron %}{% form_fields form %}", form)
    assert _tree(jinja) == _tree(crispy)


def test_a_typed_value_is_escaped_and_a_nik_is_never_echoed():
    form = StatusPageForm({"nik": VALID_NIK[:12], "kode": '"><script>alert(1)</script>'})
    form.is_valid()
    html = _render("{% load sinkron %}{% form_fields form %}", form)
    assert "<script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html
    assert VALID_NIK[:12] not in html
    assert 'aria-describedby="id_nik_error"' in html and 'aria-invalid="true"' in html


def test_a_form_with_other_than_text_inputs_is_refused_rather_than_drawn_unlike_crispy():
    class WithChoice(forms.Form):
        service = forms.ChoiceField(choices=[("sscasn", "SSCASN")])

    with pytest.raises(TypeError, match="Select"):
        _render("{% load sinkron %}{% form_fields form %}", WithChoice())
