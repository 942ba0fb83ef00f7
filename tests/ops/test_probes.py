"""/healthz and /readyz: cheap, unauthenticated, revealing nothing, 503 when not ready."""

import copy
import re

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler

from helpdesk import health
from tests.ops.servers import free_port

CHECK_VALUES = {"ok", "fail"}


def assert_reveals_nothing(response, registry_port=None, redis_port=None):
    body = response.json()
    assert set(body) == {"status", "checks"}
    assert body["status"] in CHECK_VALUES and set(body["checks"].values()) <= CHECK_VALUES
    text = response.content.decode()
    for secret in (
        "127.0.0.1",
        "localhost",
        "postgres",
        "password",
        "Error",
        "refused",
        str(registry_port or "-"),
        str(redis_port or "-"),
    ):
        assert secret not in text


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_probes_answer_whatever_the_host_header_and_without_an_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["sinkron.example.go.id"]
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")  # a container address
    assert response.status_code == 200
    # An ordinary page on the same request is refused, as before.
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_probes_accept_only_get_and_head(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_ok_when_database_redis_registry_and_migrations_are(
    client, settings, redis_server, registry
):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_server.url
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "redis": "ok", "registry": "ok"},
    }
    assert registry.server.hits == 1
    assert_reveals_nothing(response, registry.server.server_address[1], redis_server.port)


@pytest.mark.django_db
def test_readyz_fails_while_redis_is_down_and_recovers_when_it_is_back(
    client, settings, redis_server, registry
):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_server.url
    assert client.get("/readyz").status_code == 200
    redis_server.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "fail"
    assert response.json()["checks"]["database"] == "ok"
    assert_reveals_nothing(response, registry.server.server_address[1], redis_server.port)
    redis_server.start()  # same port
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_a_separate_redis_broker_is_checked_too(client, settings, redis_server, registry):
    settings.REDIS_URL = redis_server.url
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "ok" and response.json()["checks"]["broker"] == "fail"


@pytest.mark.django_db
def test_readyz_fails_when_the_registry_is_unreachable_or_unwell(client, settings, registry):
    registry.set_status(503)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["registry"] == "fail"
    settings.REGISTRY_URL = f"http://127.0.0.1:{free_port()}/api/v1"
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["registry"] == "fail"
    assert_reveals_nothing(response)


@pytest.mark.django_db
def test_a_soft_check_is_reported_but_does_not_make_the_process_unready(client, settings):
    settings.REGISTRY_URL = f"http://127.0.0.1:{free_port()}/api/v1"
    settings.READYZ_SOFT_CHECKS = ["registry"]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["registry"] == "fail"


def _connection_to(port: int):
    """A connection like `default` (same database, user, password) but on another port."""
    config = copy.deepcopy(connections["default"].settings_dict)
    config["PORT"] = port
    config["OPTIONS"] = {**config.get("OPTIONS", {}), "connect_timeout": 2}
    config["TEST"] = {}
    return ConnectionHandler({"default": config})["default"]


@pytest.mark.django_db
def test_the_database_check_fails_while_the_database_is_unreachable_and_recovers(caplog):
    real_port = connections["default"].settings_dict["PORT"] or 5432
    if connections["default"].vendor != "postgresql":
        pytest.fail("needs PostgreSQL (the project's test database)")
    connection = _connection_to(free_port())
    try:
        assert health.check_database(connection) == "fail"
        assert health.check_migrations(connection) == "fail"
        assert "readiness check database failed" in caplog.text  # the reason goes to the log only
        connection.settings_dict["PORT"] = real_port  # the database is back
        assert health.check_database(connection) == "ok"
        assert health.check_migrations(connection) == "ok"
    finally:
        connection.close()


@pytest.mark.django_db
def test_readyz_answers_503_naming_database_and_migrations_when_the_database_is_down(
    client, monkeypatch, registry
):
    if connections["default"].vendor != "postgresql":
        pytest.fail("needs PostgreSQL (the project's test database)")
    broken = _connection_to(free_port())
    real_check = health.check_database
    monkeypatch.setattr(health, "check_database", lambda: real_check(broken))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "fail", "migrations": "fail", "registry": "ok"}
    assert_reveals_nothing(response, registry.server.server_address[1])
    broken.close()


@pytest.mark.django_db
def test_unapplied_migrations_make_the_process_unready(client, monkeypatch, registry):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("pending", False)])
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "fail"


@pytest.mark.django_db
def test_probe_answers_are_memoised_briefly_so_a_flood_costs_one_check(client, settings, registry):
    settings.OPS_PROBE_CACHE_SECONDS = 60
    for _ in range(5):
        assert client.get("/readyz").status_code == 200
    assert registry.server.hits == 1


def test_the_request_id_is_echoed_on_probes_too(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="probe-1234abcd")
    assert response["X-Request-ID"] == "probe-1234abcd"
    assert re.fullmatch(r"[0-9a-f-]{36}", client.get("/healthz")["X-Request-ID"])
