"""The control API of the mock registry: what only the tests and the demo call (faults, behaviour,
seeding, the central operator, the clock). Guarded by the control token (views.control_api)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone

from mockregistry import control, services, validation, world
from mockregistry.seeding import clean_families, clean_rows
from mockregistry.stats import clear_request_counts, collect_stats
from mockregistry.views import _error, _invalid, _json_body, control_api

logger = logging.getLogger("mockregistry")


@control_api("GET", "PUT", "POST", "DELETE")
def control_faults(request):
    """Show (GET), set (PUT/POST: only the fields given) or reset (DELETE) the injected faults."""
    return _control_settings(request, control.current_faults, control.update_faults, control.reset_faults)


@control_api("GET", "PUT", "POST", "DELETE")
def control_behaviour(request):
    """Show, set or reset propagation time, stuck/reject/late shares and the expedite delay."""
    return _control_settings(
        request, control.current_behaviour, control.update_behaviour, control.reset_behaviour
    )


def _control_settings(request, show, update, reset):
    now = timezone.now()
    if request.method == "GET":
        return JsonResponse(show())
    if request.method == "DELETE":
        return JsonResponse(reset(now=now))
    changes, problem = _json_body(request, empty={})
    if problem:
        return _invalid({"body": [problem]})
    effective, errors = update(changes, now=now)
    if errors:
        return _invalid(errors)
    logger.info("control: %s set %s", request.path, sorted(changes))
    return JsonResponse(effective)


@control_api("GET", "DELETE")
def control_stats(request):
    """Show the counters (GET; `?by_key=0` leaves out the per-key maps) or clear them (DELETE)."""
    now = timezone.now()
    if request.method == "DELETE":
        clear_request_counts(now=now)
    by_key = request.GET.get("by_key", "1") not in ("0", "false", "no")
    return JsonResponse(collect_stats(now=now, by_key=by_key))


@control_api("POST")
def control_reset(request):
    """Reset faults, behaviour and counters to the environment's defaults, and wipe the data
    unless the body says {"keep_data": true}."""
    options, problem = _json_body(request, empty={})
    if problem or not isinstance(options, dict):
        return _invalid({"body": [problem or "expected a JSON object"]})
    keep_data = bool(options.get("keep_data", False))
    now = timezone.now()
    with transaction.atomic():
        if not keep_data:
            services.delete_all_data()
        clear_request_counts(now=now)
        control.reset_all(now=now)
    logger.info("control: reset (keep_data=%s)", keep_data)
    return JsonResponse({"status": "reset", "kept_data": keep_data})


@control_api("PUT", "POST")
def control_residents(request):
    """Create or overwrite residents, in the seed file's format (a list, or {"residents": [...]})."""
    rows, problem = _json_body(request)
    if isinstance(rows, dict):
        rows = rows.get("residents")
    if problem or not isinstance(rows, list):
        return _invalid({"body": [problem or 'expected a list of residents or {"residents": [...]}']})
    records, problems = clean_rows(rows, today=timezone.now().date())
    if problems:
        return _invalid({"residents": problems})
    loaded = services.upsert_residents(records, now=control.registry_now())
    return JsonResponse({"loaded": loaded})


@control_api("PUT", "POST")
def control_families(request):
    """Create or overwrite family cards: a list, or {"families": [...]} of {kk_number, head_nik, members}."""
    rows, problem = _json_body(request)
    if isinstance(rows, dict):
        rows = rows.get("families")
    if problem or not isinstance(rows, list):
        return _invalid({"body": [problem or 'expected a list of families or {"families": [...]}']})
    families, problems = clean_families(rows)
    if problems:
        return _invalid({"families": problems})
    return JsonResponse({"loaded": world.upsert_families(families, now=control.registry_now())})


@control_api("POST")
def control_resident_state(request, nik):
    """Play the central operator: put a resident in a persistent state or clear it ({"state": ...})."""
    body, problem = _json_body(request)
    if problem or not isinstance(body, dict) or body.get("state") not in validation.STATES:
        return _invalid({"state": [validation.BAD_STATE]})
    resident = world.set_state(nik, body["state"], now=control.registry_now())
    if resident is None:
        return _error(404, "not_found", "No resident with this NIK at the centre.")
    return JsonResponse(services.resident_view(resident))


@control_api("GET", "POST")
def control_clock(request):
    """Show the registry's clock (GET) or move it forward ({"advance_seconds": N}) instead of sleeping."""
    now = timezone.now()
    if request.method == "POST":
        body, problem = _json_body(request)
        seconds = body.get("advance_seconds") if isinstance(body, dict) else None
        if problem or isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            return _invalid({"advance_seconds": ["must be a number >= 0"]})
        control.advance_clock(float(seconds), now=now)
    state = control.current_state()
    return JsonResponse(
        {"now": services.iso(control.registry_now()), "offset_seconds": state.clock_offset_seconds}
    )
