"""Template filters shared by the project's pages."""

from datetime import timedelta

from django import template
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import mark_safe
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
