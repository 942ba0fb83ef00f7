"""Template filters shared by the project's pages."""
from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

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
