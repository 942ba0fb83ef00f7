"""Durations the help desk promises, scaled for demos (DEMO_TIME_SCALE divides every one)."""

from datetime import timedelta

from django.conf import settings


def scaled(seconds: float) -> timedelta:
    """Return `seconds` as a timedelta, compressed by DEMO_TIME_SCALE (1 in production)."""
    return timedelta(seconds=seconds / settings.DEMO_TIME_SCALE)


def sla_delta() -> timedelta:
    """Return the 1x24 jam promise (SYNC_SLA_SECONDS), scaled."""
    return scaled(settings.SYNC_SLA_SECONDS)


def portal_window() -> timedelta:
    """Return how long the portal the citizen named may take after the centre (PORTAL_WINDOW_SECONDS), scaled."""
    return scaled(settings.PORTAL_WINDOW_SECONDS)
