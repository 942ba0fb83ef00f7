"""Markup rendered once per process and reused (settings.CACHES["template_fragments"]): an empty
form (`{% pristine %}`) and the navigation (`{% cache %}` by role and language). What is reused
must never show one person's input, or one role's menu, to another."""

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.cast import complaint
from tickets import services

pytestmark = pytest.mark.django_db


class NoteForm(forms.Form):
    text = forms.CharField(label=translation.gettext_lazy("Antrian"))


class Calls:
    """Counts how often the block is really rendered: {{ calls.next }} says the count."""

    def __init__(self, start: int):
        self.count = start - 1

    def next(self) -> int:
        self.count += 1
        return self.count


PRISTINE = Template(
    "{% load sinkron %}{% pristine form shown %}{{ form.text.label }} {{ calls.next }} {{ shown }}{% endpristine %}"
)


def render(form, calls, shown="a") -> str:
    return PRISTINE.render(Context({"form": form, "calls": calls, "shown": shown}))


def test_an_empty_form_is_rendered_once_and_then_reused():
    calls = Calls(1000)
    first, second = render(NoteForm(), calls), render(NoteForm(), calls)
    assert first == second == "Antrian 1000 a"


def test_a_form_with_input_or_initial_values_is_rendered_each_time():
    calls = Calls(2000)
    assert render(NoteForm({"text": "x"}), calls) == "Antrian 2000 a"
    assert render(NoteForm({"text": "y"}), calls) == "Antrian 2001 a"
    assert render(NoteForm(initial={"text": "kept"}), calls) == "Antrian 2002 a"


def test_each_language_and_each_named_value_has_its_own_copy():
    calls = Calls(3000)
    indonesian = render(NoteForm(), calls, shown="b")
    with translation.override("en"):
        english = render(NoteForm(), calls, shown="b")
    assert indonesian == "Antrian 3000 b"
    assert english == "Queue 3001 b"
    assert render(NoteForm(), calls, shown="c") == "Antrian 3002 c"


def test_the_pristine_tag_needs_its_form():
    with pytest.raises(Exception, match="needs the form"):
        Template("{% load sinkron %}{% pristine %}x{% endpristine %}")


def test_a_clerk_never_gets_the_supervisor_menu_a_supervisor_page_left_behind(client, clerk, supervisor):
    dashboard = reverse("dashboard:index")
    client.force_login(supervisor)
    assert dashboard in client.get(reverse("tickets:queue")).content.decode()
    client.force_login(clerk)
    assert dashboard not in client.get(reverse("tickets:queue")).content.decode()
    client.force_login(supervisor)
    assert dashboard in client.get(reverse("tickets:queue")).content.decode()


def test_a_refused_note_keeps_its_error_and_the_next_page_has_an_empty_field(clerk_client, office, clerk):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    refused = clerk_client.post(reverse("tickets:action", args=[ticket.code, "note"]), {"text": "  "})
    assert "is-invalid" in refused.content.decode()
    page = clerk_client.get(reverse("tickets:detail", args=[ticket.code])).content.decode()
    assert 'name="text"' in page and "is-invalid" not in page


def test_a_template_edited_under_runserver_takes_the_kept_markup_with_it(tmp_path):
    from django.core.cache import caches
    from django.utils.autoreload import file_changed

    kept = caches["template_fragments"]
    kept.set("fragment", "markup")
    file_changed.send(sender=None, file_path=tmp_path / "script.py")
    assert kept.get("fragment") == "markup"
    file_changed.send(sender=None, file_path=tmp_path / "base.html")
    assert kept.get("fragment") is None
