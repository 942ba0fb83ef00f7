"""Request middleware of the project."""

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.views.defaults import page_not_found

RENEWED_AT = "_renewed_at"


class IndonesianByDefaultMiddleware:
    """Speak Bahasa Indonesia unless the user chose another language.

    Counter PCs often run an English browser; Accept-Language would switch the desk to English.
    Dropping the header leaves the language cookie (set by the language switcher) and LANGUAGE_CODE.
    Must run before django.middleware.locale.LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SlidingSessionMiddleware:
    """Keep a staff session alive while it is used: renew its expiry once a SESSION_RENEW_SECONDS.

    Saving on every request would cost each staff page an UPDATE and a COMMIT. Sessions that no
    request read (the public pages) are left alone. Must sit right after SessionMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and session.session_key and not session.is_empty():
            now = _now()
            if session.modified or now - session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED_AT] = now  # marks the session modified: SessionMiddleware saves it
        return response


def mark_session_renewed(sender, request, user, **kwargs):
    """A login saves the session anyway: count it as the first renewal."""
    request.session[RENEWED_AT] = _now()


def _now() -> int:
    return int(timezone.now().timestamp())


class ProjectNotFoundPageMiddleware:
    """Answer a missing page with the project's 404 page even when DEBUG is on.

    The demo (`make run`) runs with DEBUG, where Django shows its technical 404 with the URL list.
    Set DEBUG_TECHNICAL_404=true to get that page back while developing. Errors (500) keep Django's
    debug page. A view that *returns* a 404 response of its own (the status API) is left alone:
    only a URL that resolves to no view and an Http404 raised by a view are replaced.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        unresolved = getattr(request, "resolver_match", None) is None
        if response.status_code == 404 and unresolved and _replaces_technical_404():
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and _replaces_technical_404():
            return page_not_found(request, exception)
        return None


def _replaces_technical_404() -> bool:
    return settings.DEBUG and not settings.DEBUG_TECHNICAL_404
