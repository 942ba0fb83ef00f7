"""Idle timeout at the counter: a session left alone for SESSION_IDLE_SECONDS (30 min) ends; a
session in use never does (SESSION_SAVE_EVERY_REQUEST pushes the expiry on every request)."""
import datetime as dt

import pytest
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


def test_the_idle_timeout_is_thirty_minutes_and_renewed_by_each_request(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_clerk_idle_for_31_minutes_must_log_in_again(clerk_client, clock):
    assert clerk_client.get(QUEUE).status_code == 200
    clock(minutes=31)
    response = clerk_client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_clerk_at_work_stays_logged_in_past_thirty_minutes(clerk_client, clock):
    for _ in range(4):  # 80 minutes of work, one page every 20 minutes
        clock(minutes=20)
        assert clerk_client.get(QUEUE).status_code == 200


def test_the_session_cookie_carries_the_idle_age(clerk_client):
    response = clerk_client.get(QUEUE)
    cookie = response.cookies["sessionid"]
    assert int(cookie["max-age"]) == 30 * 60
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
