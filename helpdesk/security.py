"""Security plumbing of the project: login lockout hooks, the two-factor gate, Permissions-Policy,
no-store caching for staff.

Settings live in the "Security and privacy hardening" block at the end of helpdesk/settings.py.
"""

import hashlib
import logging
import time

from axes.models import AccessLog
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import mail_admins
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from helpdesk.models import EncryptedTOTPDevice
from tickets.permissions import is_supervisor
from tickets.ratelimit import Rate, allow_all, client_ip

logger = logging.getLogger(__name__)

# --- login lockout (django-axes) -----------------------------------------------------------------


def client_ip_for_axes(request) -> str:
    """Return the address axes counts failures against: the same rule as the public rate limits."""
    return client_ip(request, trust_forwarded=settings.TRUST_X_FORWARDED_FOR)


def username_for_axes(request, credentials=None) -> str | None:
    """Return the username axes records, in a form its table can hold.

    axes stores the typed username as is: 300 characters or a NUL byte made the login page fail
    with a database error (found by tests/security/test_hostile_input.py). No real username is
    that long (150 at most) or contains NUL, so cutting and dropping them changes no real count.
    """
    field = str(settings.AXES_USERNAME_FORM_FIELD)
    value = credentials.get(field) if credentials else getattr(request, "POST", {}).get(field)
    if value is None:
        return None
    return str(value).replace("\x00", "")[:255]


def lockout_response(request, original_response=None, credentials=None):
    """Render the friendly lockout page (429): wait, or ask a supervisor or admin to unlock."""
    if getattr(request, "sinkron_username_locked", False):
        minutes, limit = settings.LOGIN_USERNAME_LOCK_MINUTES, settings.LOGIN_USERNAME_FAILURE_LIMIT
    else:
        cooloff = settings.AXES_COOLOFF_TIME
        minutes = max(1, round(cooloff.total_seconds() / 60)) if cooloff else None
        limit = settings.AXES_FAILURE_LIMIT
    return render(
        request,
        "registration/lockout.html",
        {
            "minutes": minutes,
            "failure_limit": limit,
            "username_wide": getattr(request, "sinkron_username_locked", False),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --- per-username lock across addresses ----------------------------------------------------------
# axes locks a username *from one address*. Guessing from many addresses is stopped here: after
# LOGIN_USERNAME_FAILURE_LIMIT wrong passwords within LOGIN_USERNAME_WINDOW_MINUTES, from wherever,
# the username is locked for LOGIN_USERNAME_LOCK_MINUTES for every address it has never signed in
# from (axes' access log of successful logins), and the admins are told. The clerk at her usual
# counter PC keeps working, so an attacker cannot use the lock to keep her out.


def _username_key(kind: str, username: str) -> str:
    return f"login:{kind}:{hashlib.sha256(username.encode()).hexdigest()[:32]}"


def _now() -> float:
    return time.time()


def count_failed_login(sender, credentials, request=None, **kwargs):
    """user_login_failed receiver: count the failure for the username, lock it at the limit."""
    username = username_for_axes(request, credentials)
    if not username:
        return
    window = settings.LOGIN_USERNAME_WINDOW_MINUTES * 60
    (within,) = allow_all(
        [(_username_key("failures", username), Rate(settings.LOGIN_USERNAME_FAILURE_LIMIT - 1, window))],
        now=_now(),
    )
    if within:
        return
    lock_seconds = settings.LOGIN_USERNAME_LOCK_MINUTES * 60
    # add(): the first failure over the limit locks; later ones neither extend the lock nor re-notify.
    if cache.add(_username_key("lock", username), _now() + lock_seconds, timeout=lock_seconds + 60):
        _notify_admins_of_lock(username)


def _notify_admins_of_lock(username: str) -> None:
    limit, minutes = settings.LOGIN_USERNAME_FAILURE_LIMIT, settings.LOGIN_USERNAME_LOCK_MINUTES
    logger.warning(
        "login: username %r locked for %s minutes after %s wrong passwords from several addresses",
        username,
        minutes,
        limit,
    )
    mail_admins(
        f"Sinkron: akun {username} dikunci sementara",
        f"{limit} kata sandi salah untuk akun {username} dalam "
        f"{settings.LOGIN_USERNAME_WINDOW_MINUTES} menit, dari berbagai alamat. Akun ini tidak bisa "
        f"masuk dari alamat baru selama {minutes} menit; dari alamat yang biasa dipakainya tetap bisa.\n"
        "Bila bukan pemiliknya yang mencoba, ganti kata sandinya. Buka kunci lebih awal: "
        f"manage.py unlock_username {username}",
        fail_silently=True,
    )


def username_locked(username: str) -> bool:
    locked_until = cache.get(_username_key("lock", username))
    return locked_until is not None and locked_until > _now()


def unlock_username(username: str) -> None:
    cache.delete_many([_username_key("lock", username), _username_key("failures", username)])


def _usual_address(username: str, ip: str) -> bool:
    return AccessLog.objects.filter(username=username, ip_address=ip).exists()


class UsernameLockBackend:
    """Refuse a locked username from an address it never signed in from, before any password check.

    Listed after axes' backend and before the one that checks passwords: raising PermissionDenied
    stops authenticate(); `axes_locked_out` makes axes' middleware answer with the lockout page.
    No get_user(): it never signs anyone in (and the test client's force_login would pick it).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username:
            return None
        username = username_for_axes(request, {settings.AXES_USERNAME_FORM_FIELD: username})
        if username_locked(username) and not _usual_address(username, client_ip_for_axes(request)):
            request.axes_locked_out = True
            request.sinkron_username_locked = True
            raise PermissionDenied
        return None


# --- two-factor (django-otp, TOTP) ---------------------------------------------------------------

# Pages an unverified supervisor may still reach: signing in and out, the 2FA pages themselves,
# the language switch and the health check. Static files never reach this middleware (WhiteNoise).
TWO_FACTOR_EXEMPT_VIEWS = {"login", "logout", "set_language", "healthz", "admin:logout"}
TWO_FACTOR_NAMESPACE = "twofactor"


def confirmed_device(user):
    """Return the user's confirmed TOTP device, or None (one query, remembered on the user)."""
    if not hasattr(user, "_sinkron_totp"):
        user._sinkron_totp = (
            EncryptedTOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()
            if user.is_authenticated
            else None
        )
    return user._sinkron_totp


def two_factor_applies(user) -> bool:
    """Return True if `user` must pass a TOTP check this session.

    Only supervisors and admins: counter staff are never asked. A supervisor who set up a device is
    always asked; one without a device only when REQUIRE_2FA_FOR_SUPERVISORS is on.
    """
    if not is_supervisor(user):
        return False
    return confirmed_device(user) is not None or settings.REQUIRE_2FA_FOR_SUPERVISORS


class TwoFactorMiddleware:
    """Send a supervisor who has not passed the TOTP check to the verify (or setup) page.

    Must come after django_otp.middleware.OTPMiddleware, which gives `user.is_verified()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            match is None
            or match.view_name in TWO_FACTOR_EXEMPT_VIEWS
            or TWO_FACTOR_NAMESPACE in match.namespaces
        ):
            return None
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified() or not two_factor_applies(user):
            return None
        target = reverse("twofactor:verify" if confirmed_device(user) else "twofactor:setup")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)  # a fragment request: let htmx move the whole page
            response["HX-Redirect"] = target
            return response
        return redirect(target)


# --- Permissions-Policy --------------------------------------------------------------------------


class PermissionsPolicyMiddleware:
    """Add a Permissions-Policy header switching off browser features no page of Sinkron uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DISABLED)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


# --- caching of personal data --------------------------------------------------------------------


class NoStoreForStaffMiddleware:
    """Forbid any cache (browser, proxy, back button) to keep a page shown to a signed-in user.

    Counter PCs are shared: a ticket page with the full phone number, a revealed NIK or a subject
    access export must not come back from the next person's history. Public answers are marked by
    their views (`never_cache`); those get the HTTP/1.0 `Pragma` too. Static files are answered by
    WhiteNoise before this runs and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        stored = "no-store" in response.get("Cache-Control", "")
        if user is not None and user.is_authenticated and not stored:  # a view's own no-store stands
            add_never_cache_headers(response)
        if "no-store" in response.get("Cache-Control", ""):
            response["Pragma"] = "no-cache"
        return response
