"""The central registry client: one class, HTTP with timeouts, typed outcomes, a circuit breaker.

Every response is mapped to one outcome type, so the pipeline never reads status codes itself.
Nothing here logs or raises with a NIK in the text: the NIK travels only in the request path.
"""

from __future__ import annotations

import functools
import os
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.dateparse import parse_datetime

from citizens.nik import scrub

# --- outcomes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int | None

    @property
    def name(self) -> str:
        return type(self).__name__.lower()


@dataclass(frozen=True)
class Accepted(Outcome):
    update_id: str
    expected_by: datetime | None


@dataclass(frozen=True)
class Rejected(Outcome):
    """The centre refused the data (422 on push, or an update it rejected later)."""

    reason: str
    errors: dict = field(default_factory=dict)


# The centre's refusals that no retry clears, each needing its own action (docs/mockregistry.md).
REFUSAL_CODES = frozenset(
    {"nik_duplicate", "nik_blocked", "nik_inactive", "documents_required", "family_refused"}
)


@dataclass(frozen=True)
class Refused(Outcome):
    """The centre refused for a reason only an action clears: a persistent NIK state, documents needed,
    or a family refused as a whole. `reason` is the machine code (one of REFUSAL_CODES); `members`
    names, masked, each family member at fault."""

    reason: str
    action: str = ""
    state: str = ""
    detail: str = ""
    members: tuple = ()


@dataclass(frozen=True)
class FamilyRefused(Outcome):
    """The centre refused a family update as a whole (422 with a code other than validation_failed).

    `members` names each member at fault as {"last4", "error"}: never a whole NIK.
    """

    code: str
    detail: str = ""
    members: tuple = ()

    @property
    def reason(self) -> str:
        return self.code


@dataclass(frozen=True)
class Retry(Outcome):
    """A passing failure (429, 5xx, timeout, connection, key in flight): try again later."""

    reason: str
    after_seconds: float | None = None


@dataclass(frozen=True)
class Defect(Outcome):
    """A failure retrying cannot fix: our own bug (key reused with another body, 401, 400)."""

    reason: str


@dataclass(frozen=True)
class UpdateState(Outcome):
    status: str  # accepted | applied | rejected
    reason: str | None
    reason_code: str | None = None  # a rejection's machine code (e.g. nik_duplicate, dokumen)


@dataclass(frozen=True)
class Found(Outcome):
    resident: dict


@dataclass(frozen=True)
class NotFound(Outcome):
    pass


@dataclass(frozen=True)
class PortalView(Outcome):
    """What a consumer portal (SSCASN, BPJS, a bank) shows for the resident now.

    `up_to_date`: the portal holds the centre's latest version; `catches_up_at`: when the portal
    says it will (None when up to date, or when it does not say).
    """

    resident: dict
    up_to_date: bool
    catches_up_at: datetime | None

    @property
    def name(self) -> str:
        return "portal_current" if self.up_to_date else "portal_behind"


# --- circuit breaker -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakerReading:
    open_seconds: float
    failures_counted: bool


class CircuitBreaker:
    """Stop calling the centre for a while after repeated passing failures.

    State lives in the Django cache (Redis in production), so every worker process shares it.
    """

    FAILURES_KEY = "registry:breaker:failures"
    OPEN_UNTIL_KEY = "registry:breaker:open_until"

    def __init__(self, *, threshold: int, open_seconds: float):
        self.threshold, self.open_seconds = threshold, open_seconds

    # A cache that is down (Redis restarting) must not fail the task: the breaker then counts as
    # closed and records nothing, and the registry's own answers still pace the retries.

    def open_remaining(self) -> float:
        """Return the seconds the breaker stays open (0 when closed)."""
        return self.read().open_seconds

    def read(self) -> BreakerReading:
        """Read the open time and the failure count in one cache round trip."""
        try:
            values = cache.get_many([self.FAILURES_KEY, self.OPEN_UNTIL_KEY])
        except Exception:  # noqa: BLE001 - see above
            return BreakerReading(0.0, failures_counted=False)
        until = values.get(self.OPEN_UNTIL_KEY)
        remaining = max(0.0, until - time.time()) if until else 0.0
        return BreakerReading(remaining, failures_counted=bool(values.get(self.FAILURES_KEY)))

    def record_success(self, *, failures_counted: bool = True) -> None:
        """Reset the count. A caller whose reading before the call saw no failures skips the write:
        the common healthy call then costs one cache round trip instead of two. A failure another
        worker counts meanwhile is reset by the next success that sees it."""
        if not failures_counted:
            return
        try:
            cache.delete_many([self.FAILURES_KEY, self.OPEN_UNTIL_KEY])
        except Exception:  # noqa: BLE001 - see above
            pass

    def record_failure(self) -> None:
        try:
            self._count_failure()
        except Exception:  # noqa: BLE001 - see above
            pass

    def _count_failure(self) -> None:
        cache.add(self.FAILURES_KEY, 0, timeout=3600)
        try:
            failures = cache.incr(self.FAILURES_KEY)
        except ValueError:  # expired between add and incr
            failures = 1
            cache.set(self.FAILURES_KEY, 1, timeout=3600)
        if failures >= self.threshold:
            cache.set(
                self.OPEN_UNTIL_KEY, time.time() + self.open_seconds, timeout=int(self.open_seconds) + 1
            )
            cache.set(self.FAILURES_KEY, 0, timeout=3600)

    def state(self) -> str:
        return "open" if self.open_remaining() > 0 else "closed"


def default_breaker() -> CircuitBreaker:
    return CircuitBreaker(
        threshold=settings.REGISTRY_BREAKER_THRESHOLD, open_seconds=settings.REGISTRY_BREAKER_OPEN_SECONDS
    )


# --- client --------------------------------------------------------------------------------------


class RegistryClient:
    """Speak the registry API (DESIGN.md §5). Each method makes exactly one HTTP call, or none when
    the circuit breaker is open."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        breaker: CircuitBreaker | None = None,
    ):
        self.base_url = (base_url or settings.REGISTRY_URL).rstrip("/")
        self.breaker = breaker or default_breaker()
        self.http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            headers={
                "Authorization": f"Bearer {token or settings.REGISTRY_TOKEN}",
                "Accept": "application/json",
            },
            timeout=httpx.Timeout(settings.REGISTRY_READ_TIMEOUT, connect=settings.REGISTRY_CONNECT_TIMEOUT),
            verify=_ssl_context(),
            limits=_LIMITS,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def push(self, payload: dict, *, idempotency_key: str, documents: list[dict] | None = None) -> Outcome:
        """PUT the resident's corrected data; the key makes a repeat harmless.

        `documents` (documents.services.documents_for_push) go with a resubmission the centre asked
        papers for; they are part of the body, so the same key must always carry the same ones.
        """
        body = {**payload, "documents": documents} if documents else payload
        response = self._call(
            "PUT", f"/residents/{payload['nik']}", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        if isinstance(response, Outcome):
            return response
        code, latency, body = response
        if code == 202:
            return Accepted(
                code,
                latency,
                update_id=str(body.get("update_id", "")),
                expected_by=parse_datetime(body.get("expected_by") or ""),
            )
        if code == 422 and body.get("error") in REFUSAL_CODES:
            return _refused(code, latency, body)
        if code == 422:
            return Rejected(code, latency, reason=_first_error(body), errors=body.get("errors") or {})
        if code == 409 and body.get("error") == "request_in_flight":
            return Retry(
                code, latency, reason="request_in_flight", after_seconds=_float(body.get("retry_after")) or 1
            )
        return self._failure(code, latency, body)

    def push_family(self, payload: dict, *, idempotency_key: str) -> Outcome:
        """PUT one KK update for the whole family (head and members); applied or refused as a whole."""
        response = self._call(
            "PUT",
            f"/families/{payload['kk_number']}",
            json=payload,
            headers={"Idempotency-Key": idempotency_key},
        )
        if isinstance(response, Outcome):
            return response
        code, latency, body = response
        if code == 202:
            return _accepted(code, latency, body)
        if code == 422 and body.get("error") not in (None, "validation_failed"):
            return FamilyRefused(
                code,
                latency,
                code=str(body["error"])[:64],
                detail=scrub(str(body.get("detail") or ""))[:250],
                members=_refused_members(body.get("members")),
            )
        if code == 422:
            return Rejected(code, latency, reason=_first_error(body), errors=body.get("errors") or {})
        if code == 409 and body.get("error") == "request_in_flight":
            return Retry(
                code, latency, reason="request_in_flight", after_seconds=_float(body.get("retry_after")) or 1
            )
        return self._failure(code, latency, body)

    def update_state(self, update_id: str) -> Outcome:
        """GET the update's state: accepted, applied or rejected (with the centre's reason)."""
        response = self._call("GET", f"/updates/{update_id}")
        if isinstance(response, Outcome):
            return response
        code, latency, body = response
        if code == 200:
            return UpdateState(
                code, latency, status=body.get("status", ""), reason=_reason(body), reason_code=_code(body)
            )
        if code == 404:
            return NotFound(code, latency)
        return self._failure(code, latency, body)

    def reactivate(self, nik: str, *, office_code: str, reference: str) -> Outcome:
        """POST the office's reactivation of a nonaktif NIK, after the clerk has seen the KTP-el.

        Found (the resident, now active; again for one already active), Refused (the NIK is ganda,
        blocked or unknown: reactivation clears none of those), or a failure as for every call.
        """
        body = {"office_code": office_code, "reference": reference, "ktp_el_seen": True}
        response = self._call("POST", f"/residents/{nik}/reactivation", json=body)
        if isinstance(response, Outcome):
            return response
        code, latency, body = response
        if code == 200:
            return Found(code, latency, resident=body)
        if code in (409, 422) and body.get("error") in REFUSAL_CODES:
            return _refused(code, latency, body)
        return self._failure(code, latency, body)

    def resident(self, nik: str) -> Outcome:
        """GET the centre's current view of the resident."""
        response = self._call("GET", f"/residents/{nik}")
        if isinstance(response, Outcome):
            return response
        code, latency, body = response
        if code == 200:
            return Found(code, latency, resident=body)
        if code == 404:
            return NotFound(code, latency)
        return self._failure(code, latency, body)

    def portal_resident(self, portal: str, nik: str) -> Outcome:
        """GET what `portal` sees for the resident: PortalView, or NotFound while it knows nothing."""
        response = self._call("GET", f"/portals/{portal}/residents/{nik}")
        if isinstance(response, Outcome):
            return response
        code, latency, body = response
        if code == 200:
            return PortalView(
                code,
                latency,
                resident=body,
                up_to_date=body.get("up_to_date") is True,
                catches_up_at=parse_datetime(body.get("catches_up_at") or ""),
            )
        if code == 404:
            return NotFound(code, latency)
        return self._failure(code, latency, body)

    def expedite(self, update_id: str) -> Outcome:
        """Use the emergency channel: ask the centre to apply a pending update soon."""
        response = self._call("POST", f"/updates/{update_id}/expedite")
        if isinstance(response, Outcome):
            return response
        code, latency, body = response
        if code in (200, 202):
            return UpdateState(code, latency, status=body.get("status", ""), reason=_reason(body))
        return self._failure(code, latency, body)

    def _call(self, method: str, path: str, **kwargs):
        """Return (status, latency ms, json body), or a Retry outcome for transport failures."""
        reading = self.breaker.read()
        if reading.open_seconds:
            return Retry(None, None, reason="circuit_open", after_seconds=reading.open_seconds)
        started = time.monotonic()
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            return self._transport_failure("timeout", started)
        except httpx.TransportError as exc:
            return self._transport_failure(type(exc).__name__, started)
        latency = int((time.monotonic() - started) * 1000)
        if response.status_code == 429 or response.status_code >= 500:
            self.breaker.record_failure()
        else:
            self.breaker.record_success(failures_counted=reading.failures_counted)
        return response.status_code, latency, _json(response)

    def _transport_failure(self, reason: str, started: float) -> Retry:
        self.breaker.record_failure()
        return Retry(None, int((time.monotonic() - started) * 1000), reason=reason)

    @staticmethod
    def _failure(code: int, latency: int, body: dict) -> Outcome:
        if code == 429 or code >= 500:
            return Retry(
                code,
                latency,
                reason=body.get("error") or f"http_{code}",
                after_seconds=_float(body.get("_retry_after_header")),
            )
        return Defect(code, latency, reason=body.get("error") or f"http_{code}")


# Idle connections are dropped before a typical server's keep-alive (gunicorn: 2 s) would close them
# under us; enough of them are kept for every worker thread to have its own.
_LIMITS = httpx.Limits(max_connections=128, max_keepalive_connections=128, keepalive_expiry=1.5)
_shared_clients: dict[tuple, RegistryClient] = {}
_shared_lock = threading.Lock()


def shared_client() -> RegistryClient:
    """Return this process's client for the configured registry, built on first use.

    Tasks share it (httpx clients are thread-safe), so a push or check pays for neither a new
    client nor a new TCP connection, on our side or the registry's. Keyed by the process id (a
    forked child builds its own) and by the settings it was built from.
    """
    key = (
        os.getpid(),
        settings.REGISTRY_URL,
        settings.REGISTRY_TOKEN,
        settings.REGISTRY_READ_TIMEOUT,
        settings.REGISTRY_CONNECT_TIMEOUT,
        settings.REGISTRY_BREAKER_THRESHOLD,
        settings.REGISTRY_BREAKER_OPEN_SECONDS,
    )
    client = _shared_clients.get(key)
    if client is None:
        with _shared_lock:
            client = _shared_clients.get(key) or _shared_clients.setdefault(key, RegistryClient())
    return client


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Build the TLS context once per process: building it costs ~40 ms of CPU per client."""
    return ssl.create_default_context()


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    retry_after = response.headers.get("Retry-After")
    if retry_after is not None:
        body["_retry_after_header"] = retry_after
    return body


def _accepted(code: int, latency: int, body: dict) -> Accepted:
    expected_by = parse_datetime(body.get("expected_by") or "")
    return Accepted(code, latency, update_id=str(body.get("update_id", "")), expected_by=expected_by)


def _refused_members(members) -> tuple:
    """Return the members a family refusal names as ({"last4", "error"}, ...): the last four digits
    only, whatever the centre sent."""
    named = []
    for member in members if isinstance(members, list) else []:
        if isinstance(member, dict):
            digits = "".join(char for char in str(member.get("nik", "")) if char.isdigit())
            named.append({"last4": digits[-4:], "error": str(member.get("error", ""))[:64]})
    return tuple(named)


def _float(value) -> float | None:
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None


def _reason(body: dict) -> str | None:
    reason = body.get("reason")
    return scrub(str(reason))[:250] if reason else None


def _code(body: dict) -> str | None:
    code = body.get("reason_code")
    return str(code)[:50] if code else None


def _refused(code: int, latency: int, body: dict) -> Refused:
    members = body.get("members") if isinstance(body.get("members"), list) else []
    return Refused(
        code,
        latency,
        reason=str(body["error"]),
        action=str(body.get("action") or "")[:100],
        state=str(body.get("state") or "")[:50],
        detail=scrub(str(body.get("detail") or ""))[:250],
        members=tuple(
            {key: scrub(str(member.get(key) or ""))[:250] for key in ("nik", "error", "detail")}
            for member in members
            if isinstance(member, dict)
        ),
    )


def _first_error(body: dict) -> str:
    errors = body.get("errors") or {}
    if isinstance(errors, dict):
        for name, problems in errors.items():
            text = problems[0] if isinstance(problems, list) and problems else problems
            return scrub(f"{name}: {text}")[:250]
    return scrub(str(body.get("detail") or body.get("error") or "invalid"))[:250]
