"""The HTTP surface: CSP with a per-response nonce and nothing inline for it to allow, the other
security headers, cookie flags, and `manage.py check --deploy` clean under production settings."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.security.conftest import logged_in
from tests.security.matrix import MATRIX, ROLES
from tests.security.test_authorization_matrix import send, url_of

REPO = Path(__file__).resolve().parents[2]
EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-*'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def parse_csp(header: str) -> dict:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class InlineFinder(HTMLParser):
    """Collect what a strict CSP would block: inline scripts, style attributes, <style>, on* handlers."""

    def __init__(self):
        super().__init__()
        self.found, self.nonces, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("nonce"):
                self.nonces.append(attrs["nonce"])
            data_block = attrs.get("type") in ("application/json", "application/ld+json")
            if "src" not in attrs and not data_block:
                self.found.append(f"inline <script> {attrs}")
        if tag == "style":
            self.found.append("<style> element")
        if "style" in attrs:
            self.found.append(f"style attribute on <{tag}>")
        self.found.extend(f"{name}= on <{tag}>" for name in attrs if name.startswith("on"))
        if tag == "a" and (attrs.get("href") or "").lower().startswith("javascript:"):
            self.found.append("javascript: link")

    handle_startendtag = handle_starttag


def inline_content(html: str) -> tuple[list[str], list[str]]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found, finder.nonces


# --- CSP -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_carries_the_strict_policy_with_a_fresh_nonce(client):
    first, second = client.get(reverse("public_status")), client.get(reverse("public_status"))
    policies = [parse_csp(r["Content-Security-Policy"]) for r in (first, second)]
    for policy in policies:
        assert set(policy) == set(EXPECTED_CSP)
        for name, values in EXPECTED_CSP.items():
            if name == "script-src":
                assert policy[name][0] == "'self'" and policy[name][1].startswith("'nonce-")
            else:
                assert policy[name] == values, name
    assert policies[0]["script-src"][1] != policies[1]["script-src"][1], "a nonce is never reused"
    _found, nonces = inline_content(first.content.decode())
    assert nonces and set(nonces) == {policies[0]["script-src"][1][len("'nonce-") : -1]}


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_its_indicator_style_or_run_scripts(client):
    html = client.get(reverse("public_status")).content.decode()
    config = html.split('<meta name="htmx-config" content=\'', 1)[1].split("'>", 1)[0]
    assert json.loads(config) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }


def _html_pages():
    """Every GET in the authorization matrix that some role opens with a 200."""
    for key, entry in MATRIX.items():
        for probe in entry.probes:
            if probe.method == "GET":
                for role in ROLES:
                    if probe.expected[role] == 200:
                        yield key, probe, role
                        break


@pytest.mark.django_db
@pytest.mark.parametrize("key,probe,role", list(_html_pages()), ids=lambda v: v if isinstance(v, str) else "")
def test_no_rendered_page_needs_anything_the_policy_blocks(key, probe, role, world, role_users):
    """Rendered, not grepped: crispy-forms, the admin, segno's SVG QR and htmx attributes included."""
    response = send(logged_in(role_users[role]), probe, url_of(key, probe, world.own), world.own)
    assert response.status_code == 200
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    found, _nonces = inline_content(response.content.decode())
    assert not found, f"{key}: {found}"


@pytest.mark.django_db
def test_the_printed_slip_keeps_its_qr_code_under_the_policy(clerk_client, world):
    html = clerk_client.get(reverse("tickets:slip", args=[world.ticket.code])).content.decode()
    assert "<svg" in html and 'class="segno"' in html
    assert inline_content(html)[0] == []


def test_no_template_of_ours_has_inline_script_or_style():
    """Templates of every app and templates/, read as text: catches what no test renders yet."""
    offenders = []
    roots = [REPO / "templates", *REPO.glob("*/templates")]
    for root in roots:
        if ".venv" in root.parts:
            continue
        for path in root.rglob("*.html"):
            found, _ = inline_content(path.read_text(encoding="utf-8"))
            offenders.extend(f"{path.relative_to(REPO)}: {what}" for what in found)
    assert not offenders


# --- the other headers ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_security_headers_are_set(client):
    response = client.get(reverse("public_status"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(item.strip().split("=") for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()"


@pytest.mark.django_db
def test_the_json_endpoint_is_framed_by_nobody_either(client):
    response = client.post(reverse("public_status_json"), "{}", content_type="application/json")
    assert (
        response["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in response["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_hsts_and_secure_cookies_when_served_over_https_in_production(settings, clerk):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client()
    response = client.post(
        reverse("login"), {"username": "petugas", "password": "sinkron-test-pass"}, secure=True
    )
    assert response.status_code == 302
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = Client().get(reverse("login"), secure=True).cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


# --- production settings -------------------------------------------------------------------------


def production_env(tmp_path) -> dict:
    """The secrets the README asks for in production, and nothing from this test run's settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SINKRON_", "DEBUG", "SECURE_", "DEMO_"))
    }
    env.update(
        {
            "SINKRON_ENV": "production",
            "SINKRON_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "FIELD_HMAC_KEY": secrets.token_urlsafe(32),
            "REGISTRY_TOKEN": secrets.token_urlsafe(24),
            "ALLOWED_HOSTS": "sinkron.disdukcapil.example.go.id",
            "CSRF_TRUSTED_ORIGINS": "https://sinkron.disdukcapil.example.go.id",
        }
    )
    return env


def run_manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = production_env(tmp_path)
    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_starts_with_exactly_the_secrets_the_readme_names(tmp_path):
    result = run_manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_turn_every_protection_on(tmp_path):
    env = production_env(tmp_path)
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS",
        "SESSION_COOKIE_AGE",
        "SESSION_SAVE_EVERY_REQUEST",
        "AXES_FAILURE_LIMIT",
        "AXES_LOCKOUT_PARAMETERS",
    ]
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_COOKIE_AGE": 1800,
        "SESSION_SAVE_EVERY_REQUEST": False,
        "AXES_FAILURE_LIMIT": 5,
        "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
    }
    assert django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-ancestors"] == ["'none'"]
