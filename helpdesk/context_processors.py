from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject

from core.scoping import scope_of
from tickets.permissions import is_staff_member, is_supervisor
from tickets.selectors import ALERT_BADGE_CAP, unread_alert_count


def sinkron(request):
    """Expose the role flags, the unread-alert badge and demo banner every page's navigation needs."""
    user = request.user
    staff = is_staff_member(user)
    return {
        "is_staff_member": staff,
        # Counted only when the page shows it (the navbar, for staff): one indexed COUNT.
        "unread_alerts": SimpleLazyObject(lambda: _badge(user) if staff else ""),
        "is_supervisor": is_supervisor(user),
        # The reading roles (provincial, national): no intake links; the roll-up for those of many offices.
        "read_only": staff and scope_of(user).read_only,
        "spans_offices": staff and scope_of(user).spans_offices,
        "demo_mode": settings.DEMO_MODE,
        "demo_time_scale": settings.DEMO_TIME_SCALE,
    }


def _badge(user) -> str:
    """Return the unread-alert badge: "" for none, "3", or "99+" past the cap."""
    count = unread_alert_count(user)
    if not count:
        return ""
    return f"{ALERT_BADGE_CAP}+" if count > ALERT_BADGE_CAP else str(count)


def csrf_token_once(request):
    """Give a page one masked CSRF token, the same in each of its forms.

    Django's own processor masks the token anew every time a template reads it (`lazy`): a staff
    page with four forms read it thirteen times, each mask 32 draws from the OS's random source,
    about 1 ms a page. Masking per response is what protects the token (BREACH); repeating the same
    masked value inside one response gives nothing away. Listed after Django's, so this one wins.
    """
    return {"csrf_token": SimpleLazyObject(lambda: page_csrf_token(request))}


def page_csrf_token(request) -> str:
    """Return the response's masked CSRF token: made on first use, then the same for every template
    the response renders (Django's and Jinja2's, the page and the parts other apps add to it)."""
    token = getattr(request, "_sinkron_csrf_token", None)
    if token is None:
        token = request._sinkron_csrf_token = get_token(request)
    return token
