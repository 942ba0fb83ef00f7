"""A page carries one masked CSRF token in all its forms (helpdesk.context_processors.csrf_token_once):
masked anew for each response, so the BREACH mitigation holds, and accepted when posted back."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')


def tokens(response) -> list[str]:
    html = response.content.decode()
    return FIELD.findall(html) + HEADER.findall(html)


def test_every_form_of_a_page_carries_the_same_masked_token(supervisor_client):
    found = tokens(supervisor_client.get(reverse("tickets:queue")))
    # search, bulk actions, language, sign out, and htmx's header
    assert len(found) >= 5
    assert len(set(found)) == 1


def test_each_response_masks_the_token_anew_over_the_same_secret(supervisor_client):
    first = tokens(supervisor_client.get(reverse("tickets:queue")))[0]
    second = tokens(supervisor_client.get(reverse("tickets:queue")))[0]
    assert first != second
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second)


def test_the_token_of_a_page_is_accepted_and_a_forged_one_refused(clerk):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clerk, backend="helpdesk.backends.DeskBackend")
    token = tokens(browser.get(reverse("tickets:queue")))[0]
    forged = "x" * len(token)

    refused = browser.post(reverse("tickets:queue"), {"q": "Siti", "csrfmiddlewaretoken": forged})
    accepted = browser.post(reverse("tickets:queue"), {"q": "Siti", "csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 200
