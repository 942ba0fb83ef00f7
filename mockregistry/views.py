"""The registry API (`/api/v1/...`, REGISTRY_TOKEN) and the control API (`/_control/...`,
MOCKREGISTRY_CONTROL_TOKEN). Thin: they check the request and call services, control and stats.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import uuid
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from mockregistry import control, idempotency, services, validation, world
from mockregistry.idempotency import Verdict
from mockregistry.middleware import spend_fault_delay, spends_fault_delay
from mockregistry.models import FamilyCard, Resident, Update

logger = logging.getLogger("mockregistry")


# --- plumbing --------------------------------------------------------------------------------------


def _error(status: int, error: str, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"error": error, "detail": detail, **extra}, status=status)


def _invalid(errors: dict) -> JsonResponse:
    return _error(422, "validation_failed", "The request is not valid.", errors=errors)


def _token_matches(request, expected: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not expected:
        return False
    # Bytes, because compare_digest refuses non-ASCII str and a client may send anything.
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def _guarded(token_setting: str, methods: tuple[str, ...]):
    """Make a view CSRF-exempt, bearer-token protected and limited to `methods`."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                spend_fault_delay(request)
                response = _error(405, "method_not_allowed", f"Use one of {', '.join(methods)}.")
                response["Allow"] = ", ".join(methods)
                return response
            if not _token_matches(request, getattr(settings, token_setting)):
                spend_fault_delay(request)
                response = _error(401, "unauthorized", "Missing or wrong bearer token.")
                response["WWW-Authenticate"] = 'Bearer realm="mockregistry"'
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def api(*methods):
    """Guard a registry API view with REGISTRY_TOKEN."""
    return _guarded("REGISTRY_TOKEN", methods)


def control_api(*methods):
    """Guard a control view with MOCKREGISTRY_CONTROL_TOKEN."""
    return _guarded("MOCKREGISTRY_CONTROL_TOKEN", methods)


NOT_JSON = "Isi permintaan harus berupa JSON."


def _json_body(request, *, empty=None):
    """Return (parsed body, None) or (None, error message); an empty body gives `empty` if set."""
    if not request.body:
        return (empty, None) if empty is not None else (None, NOT_JSON)
    try:
        return json.loads(request.body), None
    except (ValueError, UnicodeDecodeError):
        return None, NOT_JSON


# --- registry API ----------------------------------------------------------------------------------


@csrf_exempt
def health(request):
    """Report whether the registry and its database answer, and which faults are on."""
    now = timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        faults = control.current_faults()
    except DatabaseError:
        body = {"status": "error", "database": "unavailable", "time": services.iso(now)}
        return JsonResponse(body, status=503)
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "time": services.iso(now),
            "worker": os.getpid(),
            "instance": settings.MOCKREGISTRY_INSTANCE,
            "faults_active": control.active_fault_names(faults, now),
        }
    )


@spends_fault_delay
@api("GET", "PUT")
def resident(request, nik):
    """GET the centre's view of a resident; PUT an update to it (with an Idempotency-Key)."""
    if request.method == "PUT":
        return _put_resident(request, nik)
    spend_fault_delay(request)
    problems = validation.nik_errors(nik)
    if problems:
        return _invalid({"nik": problems})
    services.process_due_updates(now=control.registry_now(), nik=nik)
    found = Resident.objects.filter(nik=nik).first()
    if found is None:
        return _error(404, "not_found", "No resident with this NIK at the centre.")
    return JsonResponse(services.resident_view(found))


def _put_resident(request, nik):
    payload, errors = _validated(request, lambda body: validation.validate_update(nik, body, today=_today()))
    if errors:
        spend_fault_delay(request)
        return _invalid(errors)
    unknown_nik = control.current_behaviour()["unknown_nik"]
    refusal = world.resident_push_refusal(nik, unknown_nik=unknown_nik, papers=payload.get("documents"))
    return _claim_and_accept(request, payload, refusal)


@spends_fault_delay
@api("GET", "PUT")
def family(request, kk_number):
    """GET the centre's family card; PUT a family update (one KK, all members; Idempotency-Key)."""
    if request.method == "PUT":
        return _put_family(request, kk_number)
    spend_fault_delay(request)
    problems = validation.kk_errors(kk_number)
    if problems:
        return _invalid({"kk_number": problems})
    services.process_due_family_updates(now=control.registry_now(), kk_number=kk_number)
    card = FamilyCard.objects.filter(pk=kk_number).first()
    if card is None:
        return _error(404, "not_found", "No family card with this KK number at the centre.")
    return JsonResponse(world.family_view(card))


def _put_family(request, kk_number):
    payload, errors = _validated(request, lambda body: validation.validate_family(kk_number, body))
    if errors:
        spend_fault_delay(request)
        return _invalid(errors)
    return _claim_and_accept(request, payload, world.family_push_refusal(payload))


def _claim_and_accept(request, payload, refusal):
    """Refuse (no trace of the key, like a 422), or claim the key and accept, or answer the duplicate."""
    key = request.headers.get("Idempotency-Key")
    if refusal is not None:
        spend_fault_delay(request)
        return JsonResponse(refusal.body, status=refusal.status)
    digest = idempotency.body_hash(payload)
    claim = idempotency.claim(
        key,
        digest,
        wait_seconds=settings.MOCKREGISTRY_IN_FLIGHT_WAIT_SECONDS,
        abandon_after_seconds=settings.MOCKREGISTRY_IN_FLIGHT_TIMEOUT_SECONDS,
    )
    if claim.verdict is Verdict.OWNED:
        return _accept(request, key, claim.token, payload)
    spend_fault_delay(request)
    request.registry_duplicate = claim.verdict.value
    return _duplicate_answer(claim)


def _today():
    return control.registry_now().date()


def _validated(request, validate):
    errors = {}
    key_problems = validation.idempotency_key_errors(request.headers.get("Idempotency-Key"))
    if key_problems:
        errors["Idempotency-Key"] = key_problems
    body, body_problem = _json_body(request)
    if body_problem:
        errors["body"] = [body_problem]
        return None, errors
    payload, field_errors = validate(body)
    errors.update(field_errors)
    return payload, errors


@api("POST")
def reactivation(request, nik):
    """The office's reactivation request for a nonaktif NIK, after it has seen the citizen's KTP-el."""
    problems = validation.nik_errors(nik)
    if problems:
        return _invalid({"nik": problems})
    body, problem = _json_body(request)
    if problem or not isinstance(body, dict):
        return _invalid({"body": [problem or "Isi harus berupa objek JSON."]})
    errors = validation.reactivation_errors(body)
    if errors:
        return _invalid(errors)
    resident, refusal = world.reactivate(nik, now=control.registry_now())
    if refusal is not None:
        return JsonResponse(refusal.body, status=refusal.status)
    return JsonResponse(services.resident_view(resident))


@api("GET")
def portals(request):
    """List the consumer portals (SSCASN, BPJS, bank) that keep their own copies."""
    return JsonResponse(world.portals_view())


@api("GET")
def portal_resident(request, portal, nik):
    """What one portal sees for this NIK now (the centre's data as of its own lag)."""
    if portal not in services.PORTALS:
        return _error(404, "not_found", f"No such portal; expected one of {', '.join(services.PORTALS)}.")
    problems = validation.nik_errors(nik)
    if problems:
        return _invalid({"nik": problems})
    now = control.registry_now()
    services.process_due_updates(now=now, nik=nik)
    seen = world.portal_view(portal, nik, now=now)
    if seen is None:
        return _error(404, "not_found", "This portal has no copy of this NIK (yet).")
    return JsonResponse(seen)


def _accept(request, key, token, payload):
    try:
        spend_fault_delay(request)  # while holding the key: a retry now sees "request_in_flight"
        answer = services.accept_update(
            key=key,
            claim_token=token,
            payload=payload,
            behaviour=control.current_behaviour(),
            now=control.registry_now(),
        )
    except (services.KeyNoLongerHeld, IntegrityError):
        request.registry_duplicate = Verdict.IN_FLIGHT.value
        return _in_flight()
    except BaseException:
        idempotency.release(key, token)
        raise
    return JsonResponse(answer, status=202)


def _duplicate_answer(claim):
    if claim.verdict is Verdict.REPLAY:
        response = JsonResponse(claim.response_body, status=claim.response_status)
        response["Idempotent-Replayed"] = "true"
        return response
    if claim.verdict is Verdict.KEY_REUSED:
        return _error(
            409, Verdict.KEY_REUSED.value, "This Idempotency-Key was already used with a different body."
        )
    return _in_flight()


def _in_flight():
    detail = "A request with this Idempotency-Key is still being processed."
    response = _error(409, Verdict.IN_FLIGHT.value, detail, retry_after=1)
    response["Retry-After"] = "1"
    return response


@api("GET")
def update_detail(request, update_id):
    """Show an update's status (accepted, applied, rejected), reason and times."""
    update = _find_update(update_id)
    if update is None:
        return _error(404, "not_found", "No such update.")
    # Only an update whose own time has come can change its answer (settling it settles the NIK's
    # older due updates first); readers of the resident settle the rest.
    now = control.registry_now()
    if update.is_due(now) and services.process_due_updates(now=now, nik=update.nik):
        update.refresh_from_db()
    return JsonResponse(services.update_view(update))


@api("POST")
def expedite(request, update_id):
    """Use the emergency channel: have a pending update (stuck ones too) applied shortly."""
    found = _find_update(update_id)
    if found is None:
        return _error(404, "not_found", "No such update.")
    now = control.registry_now()
    services.process_due_updates(now=now, nik=found.nik)
    update, pending = services.expedite(
        found.pk, expedite_seconds=control.current_behaviour()["expedite_seconds"], now=now
    )
    body = {**services.update_view(update), "expedited": pending}
    return JsonResponse(body, status=202 if pending else 200)


def _find_update(update_id: str) -> Update | None:
    try:
        return Update.objects.filter(pk=uuid.UUID(update_id)).first()
    except ValueError:
        return None


# --- errors ----------------------------------------------------------------------------------------


def not_found(request, exception=None):
    """Answer unknown paths in JSON, like every other answer."""
    return _error(404, "not_found", "No such endpoint.")


def server_error(request):
    """Answer unexpected failures in JSON."""
    return _error(500, "server_error", "Unexpected error.")
