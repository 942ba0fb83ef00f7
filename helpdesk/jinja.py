"""The Jinja2 environment of the hot list fragments (settings.TEMPLATES, second backend).

The queue's rows are the most rendered markup of the desk: Django's template engine spent about
two thirds of the queue page's CPU on them (docs/benchmarks.md, round 4). Jinja2 compiles a
template to Python once, so the same rows cost a fraction. The rest of the site stays on Django
templates; these globals give a fragment the same tags and filters (url, translations, the
status badge, times in WIB) so the markup does not change with the engine. The public status
page's form fields are the other hot fragment (`form_fields`): crispy-forms rendered them in
about half of that page's CPU.
"""

import functools

from django import forms
from django.forms.utils import flatatt
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from helpdesk.context_processors import page_csrf_token
from helpdesk.templatetags.sinkron import duration, short_datetime, status_badge


def url(name: str, *args) -> str:
    return _reverse(name, args, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=4096)
def _reverse(name: str, args: tuple, prefix: str, urlconf) -> str:
    """Django's reverse, remembered: a queue page asks for ~30 addresses, most the same as on the
    page before it (the same newest tickets, refreshed every few seconds, for every clerk)."""
    return reverse(name, args=args, urlconf=urlconf)


def field_widget(field) -> str:
    """Render a text field's input with the classes and ARIA crispy-forms' bootstrap5 pack gives it,
    as Django's input.html would write it, without a second template engine per field."""
    widget = field.field.widget
    classes = f"{widget.__class__.__name__.lower()} form-control"
    described_by = [f"{field.auto_id}_helptext"] if field.help_text else []
    if field.errors:
        classes += " is-invalid"
        described_by.append(f"{field.auto_id}_error")
    if not isinstance(widget, forms.widgets.Input):
        # A select or checkbox has other markup in crispy's pack: render that form with crispy.
        raise TypeError(f"form_fields renders text inputs only, not {widget.__class__.__name__}")
    attrs = {"class": classes, **({"aria-describedby": " ".join(described_by)} if described_by else {})}
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    value = "" if context["value"] is None else format_html(' value="{}"', context["value"])
    return format_html(
        '<input type="{}" name="{}"{}{}>', context["type"], context["name"], value, flatatt(context["attrs"])
    )


def csrf_field(request) -> str:
    """The form's hidden CSRF field, with the page's one token (helpdesk.context_processors)."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', page_csrf_token(request)
    )


def environment(**options) -> Environment:
    env = Environment(**options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(
        url=url, static=static, status_badge=status_badge, field_widget=field_widget, csrf_field=csrf_field
    )
    env.filters.update(short_datetime=short_datetime, duration=duration)
    return env
