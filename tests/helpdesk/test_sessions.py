"""The session engine (helpdesk.sessions): Django's database sessions, loaded by one written-out
statement; a live session signs its user in, an expired or unknown one is nobody's."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helpdesk.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_project_uses_it():
    assert settings.SESSION_ENGINE == "helpdesk.sessions"


def test_a_saved_session_loads_back_in_one_statement():
    store = SessionStore()
    store["kantor"] = "3319"
    store.save()
    with CaptureQueriesContext(connection) as captured:
        loaded = SessionStore(store.session_key)
        assert loaded["kantor"] == "3319"
    assert len(captured) == 1 and "django_session" in captured[0]["sql"]


def test_an_expired_session_is_empty_and_saved_under_a_new_key():
    store = SessionStore()
    store["kantor"] = "3319"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert dict(expired.items()) == {}
    expired["baru"] = 1
    expired.save()
    assert expired.session_key != store.session_key


def test_an_unknown_key_is_nobodys_session():
    assert dict(SessionStore("x" * 32).items()) == {}


def test_a_signed_in_clerk_keeps_their_pages_and_an_expired_session_goes_to_sign_in(clerk_client):
    queue = reverse("tickets:queue")
    assert clerk_client.get(queue).status_code == 200
    key = clerk_client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = clerk_client.get(queue)
    assert response.status_code == 302 and reverse("login") in response["Location"]
