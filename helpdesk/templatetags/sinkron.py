"""Template filters shared by the project's pages."""

from datetime import timedelta

from django import template
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.timefmt import short_datetime

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """Render a timedelta the way the desk says it: "2 hari 14 jam", "3 jam 20 menit", "45 menit"."""
    if value is None:
        return "–"
    minutes = int(abs(value.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s hari %(h)s jam") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s jam %(m)s menit") % {"h": hours, "m": minutes}
    return _("%(m)s menit") % {"m": minutes}


register.filter("short_datetime", short_datetime)


STATUS_BADGES = {
    "new": "text-bg-secondary",
    "sent": "text-bg-info",
    "action_needed": "text-bg-light border border-danger",
    "centre_applied": "text-bg-primary",
    "resolved": "text-bg-success",
    "escalated": "text-bg-warning",
    "rejected": "text-bg-danger",
}


def badge_class(status: str) -> str:
    """Return the Bootstrap colour class of a ticket status's badge."""
    return STATUS_BADGES.get(status, "text-bg-dark")


@register.simple_tag
def status_badge(ticket) -> str:
    """Render the ticket's status as its coloured badge: `{% status_badge ticket %}`.

    A tag, not an {% include %}: list pages print one per row, and an include costs ten times more.
    """
    return format_html(
        '<span class="badge status-badge {}">{}</span>',
        badge_class(ticket.status),
        ticket.get_status_display(),
    )


@register.simple_tag
def form_fields(form) -> str:
    """A form's text fields as `{{ form|crispy }}` writes them, rendered by Jinja2 in a fraction of
    the time (templates/jinja2/includes/form_fields.jinja): for the pages every look-up renders."""
    template = engines["jinja2"].get_template("includes/form_fields.jinja")
    return mark_safe(template.render({"form": form}))  # noqa: S308 - Jinja2 escapes every value


class PristineNode(template.Node):
    def __init__(self, nodelist, form, vary_on):
        self.nodelist, self.form, self.vary_on = nodelist, form, vary_on

    def render(self, context):
        form = self.form.resolve(context)
        if form.is_bound or form.initial:
            return self.nodelist.render(context)
        cache = caches["template_fragments"]
        where = (self.origin.name, self.token.lineno, self.token.contents, get_language())
        key = make_template_fragment_key("pristine", [*where, *(v.resolve(context) for v in self.vary_on)])
        markup = cache.get(key)
        if markup is None:
            markup = self.nodelist.render(context)
            cache.set(key, markup)
        return markup


@register.tag
def pristine(parser, token):
    """`{% pristine form [value ...] %}...{% endpristine %}`: the markup of a form nobody has typed in yet,
    rendered once per language and process and reused (crispy-forms renders each field through
    templates: ~0.5 ms a field). A bound form, or one with initial values, renders live. The block
    must hold nothing of the request or the page's object (no token, no ticket code): only fields,
    and any other value they show named after the form, so that it is part of the key.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% pristine form %} needs the form")
    nodelist = parser.parse(("endpristine",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in bits[2:]]
    return PristineNode(nodelist, parser.compile_filter(bits[1]), vary_on)
