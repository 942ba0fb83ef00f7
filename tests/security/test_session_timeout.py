"""Idle timeout at the counter: a session left alone for SESSION_IDLE_SECONDS (30 min) ends; a
session in use never does (SlidingSessionMiddleware pushes the expiry forward once a minute)."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

QUEUE = reverse("tickets:queue")


@pytest.fixture
def clock(monkeypatch):
    """Move Django's clock (timezone.now) forward by hand."""
    real_now = timezone.now
    offset = {"value": dt.timedelta(0)}
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset["value"])

    def advance(**delta):
        offset["value"] += dt.timedelta(**delta)

    return advance


def test_the_idle_timeout_is_thirty_minutes_renewed_once_a_minute(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_RENEW_SECONDS == 60


def session_writes(client, url=QUEUE) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_pages_within_a_minute_do_not_write_the_session(clerk_client, clock):
    clerk_client.get(QUEUE)
    first = expiry(clerk_client)
    clock(seconds=30)
    assert session_writes(clerk_client) == []
    assert expiry(clerk_client) == first


def test_a_page_a_minute_later_pushes_the_expiry_forward(clerk_client, clock):
    clerk_client.get(QUEUE)
    first = expiry(clerk_client)
    clock(seconds=61)
    assert len(session_writes(clerk_client)) == 1
    assert expiry(clerk_client) - first >= dt.timedelta(seconds=61)


def test_public_pages_never_touch_a_session(client):
    assert session_writes(client, reverse("public_status")) == []


def test_a_clerk_idle_for_31_minutes_must_log_in_again(clerk_client, clock):
    assert clerk_client.get(QUEUE).status_code == 200
    clock(minutes=31)
    response = clerk_client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_clerk_at_work_stays_logged_in_past_thirty_minutes(clerk_client, clock):
    for _ in range(4):  # 80 minutes of work, one page every 20 minutes
        clock(minutes=20)
        assert clerk_client.get(QUEUE).status_code == 200


def test_the_renewed_session_cookie_carries_the_idle_age(clerk_client, clock):
    clock(seconds=61)
    response = clerk_client.get(QUEUE)
    cookie = response.cookies["sessionid"]
    assert int(cookie["max-age"]) == 30 * 60
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
