"""docker-compose.yml, checked without a Docker engine: valid against the Compose Specification's
JSON schema, and every command it runs exists in this project.

The schema is the copy check-jsonschema ships (check_jsonschema/builtin_schemas/vendor/
compose-spec.json, from github.com/compose-spec/compose-spec, Apache-2.0, licence file beside it
in that package); pinning check-jsonschema in requirements-dev.txt pins the schema.
"""

import importlib
import importlib.util
import json
import re
import shlex
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import get_commands
from django.urls import resolve

from sync import health as sync_health

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat", "mockregistry")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def compose_schema() -> dict:
    path = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"
    return json.loads(path.read_text())


def commands_of(service: dict) -> list[list[str]]:
    """The command lines a service runs, `sh -c "a && b"` split into [a, b]."""
    command = service.get("command") or []
    if isinstance(command, str):
        command = shlex.split(command)
    if command[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in re.split(r"&&|;", command[2])]
    return [command]


def healthcheck_command(service: dict) -> list[str]:
    test = service["healthcheck"]["test"]
    assert test[0] in ("CMD", "CMD-SHELL")
    return test[1:] if test[0] == "CMD" else shlex.split(test[1])


def test_the_file_is_valid_against_the_compose_specification(compose):
    validator = jsonschema.Draft202012Validator(compose_schema())
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_schema_check_would_catch_a_broken_file(compose):
    broken = {
        **compose,
        "services": {
            **compose["services"],
            "web": {**compose["services"]["web"], "ports": 8000, "healthcheck": {"tset": ["CMD", "true"]}},
        },
    }
    assert list(jsonschema.Draft202012Validator(compose_schema()).iter_errors(broken))


def test_every_long_running_service_has_a_healthcheck(services):
    assert set(LONG_RUNNING) <= set(services)
    for name in LONG_RUNNING:
        assert "healthcheck" in services[name], name
        assert healthcheck_command(services[name]), name


def test_web_is_checked_by_readyz_and_the_registry_by_its_health_endpoint(services):
    web = " ".join(healthcheck_command(services["web"]))
    assert "http://127.0.0.1:8000/readyz" in web
    assert resolve("/readyz").url_name == "readyz"
    registry = " ".join(healthcheck_command(services["mockregistry"]))
    assert "http://127.0.0.1:8001/api/v1/health" in registry
    assert 'path("api/v1/health"' in (ROOT / "mockregistry" / "urls.py").read_text()


def test_worker_and_beat_are_judged_by_pipeline_progress(services):
    for name, expected in (("worker", {"progress", "backlog"}), ("beat", {"beat"})):
        command = healthcheck_command(services[name])
        assert command[:3] == ["python", "manage.py", "check_pipeline"], name
        only = command[command.index("--only") + 1].split(",")
        assert set(only) == expected and set(only) <= set(sync_health.CHECKS)


def test_exactly_one_beat_runs(services):
    beats = [
        name
        for name, service in services.items()
        for command in commands_of(service)
        if command[:1] == ["celery"] and "beat" in command
    ]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    for name, service in services.items():
        for command in commands_of(service):
            assert "-B" not in command and "--beat" not in command, f"{name} embeds a scheduler"


def test_every_command_exists_in_the_project(services):
    django_commands = get_commands()
    for name, service in services.items():
        lines = commands_of(service) if "command" in service else []
        if "healthcheck" in service:
            lines.append(healthcheck_command(service))
        for line in lines:
            program = line[0]
            if program == "python" and line[1] == "manage.py":
                assert line[2] in django_commands, f"{name}: manage.py {line[2]}"
            elif program == "gunicorn":
                module, _, attribute = line[1].partition(":")
                assert importlib.util.find_spec(module) is not None, f"{name}: {line[1]}"
                if module == "helpdesk.wsgi":
                    assert callable(getattr(importlib.import_module(module), attribute or "application"))
                if "-c" in line:
                    config = line[line.index("-c") + 1]
                    assert config.startswith("python:")
                    hooks = importlib.import_module(config.removeprefix("python:"))
                    assert callable(hooks.on_starting) and callable(hooks.child_exit)
            elif program == "celery":
                assert line[1:3] == ["-A", "helpdesk"] and line[3] in ("worker", "beat"), f"{name}: {line}"
            elif program == "sh":  # a script of docker/, mounted into the service
                mounted = {v.split(":")[1]: v.split(":")[0] for v in service.get("volumes", [])}
                assert (ROOT / mounted[line[1]]).is_file(), f"{name}: {line}"
            elif program in ("python", "pg_isready", "redis-cli", "redis-server", "curl"):
                pass  # the interpreter's -c snippets are checked above; the rest come with their images
            else:
                pytest.fail(f"{name}: unknown program {program!r}")


def test_celery_app_and_the_beat_schedule_are_importable():
    from django.conf import settings

    from helpdesk.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_app_services_wait_for_migrations_and_healthy_backing_services(services):
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name


def test_secrets_come_from_an_uncommitted_env_file(services):
    text = COMPOSE.read_text()
    for name, service in services.items():
        if name in ("postgres", "redis", "proxy"):  # the proxy is handed no secret
            continue
        assert service.get("env_file") == ".env", name
    # Every password in the file is an interpolation, never a literal.
    for line in text.splitlines():
        if (
            re.search(r"PASSWORD|SECRET|TOKEN|KEY", line)
            and ":" in line
            and not line.lstrip().startswith("#")
        ):
            assert "${" in line, line
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = (ROOT / ".env.example").read_text()
    for variable in interpolated:
        assert re.search(rf"^{variable}=", example, re.M), f"{variable} missing from .env.example"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert ignored.returncode == 0, ".env must be ignored by git"


def test_the_database_lives_in_a_volume_and_the_mock_registry_gets_its_own(compose, services):
    postgres = services["postgres"]
    assert "pgdata" in compose["volumes"]
    assert any(v.startswith("pgdata:/var/lib/postgresql/data") for v in postgres["volumes"])
    mounts = [v for v in postgres["volumes"] if "/docker-entrypoint-initdb.d/" in v]
    scripts = [(ROOT / mount.split(":")[0].removeprefix("./")).read_text() for mount in mounts]
    assert sum(bool(re.search(r"CREATE DATABASE mockregistry;", text)) for text in scripts) == 1
    database_url = services["mockregistry"]["environment"]["MOCKREGISTRY_DATABASE_URL"]
    assert "@postgres:5432/mockregistry" in database_url


def test_the_image_collects_static_files_for_whitenoise():
    from django.conf import settings

    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert "collectstatic --noinput" in (ROOT / "Dockerfile").read_text()


def test_web_shares_its_request_metrics_across_gunicorn_workers(services):
    web = services["web"]
    assert web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert web["environment"]["DATABASE_URL"] == services["worker"]["environment"]["DATABASE_URL"]
    assert "python:helpdesk.gunicorn_conf" in web["command"]


# --- the scale profile: the topology of docs/scaling.md (make topology runs it as processes) ------

SCALE = (
    "postgres-replica",
    "web-2",
    "web-3",
    "proxy",
    "worker-sync",
    "worker-notifications",
    "worker-imports",
)


def test_the_scale_profile_holds_the_proxy_web_replicas_worker_queues_and_the_replica(services):
    in_profile = {name for name, service in services.items() if "scale" in service.get("profiles", [])}
    assert in_profile == set(SCALE)
    for name in SCALE:
        assert healthcheck_command(services[name]), name
    for name in LONG_RUNNING:
        assert "profiles" not in services[name], f"{name} must run without a profile"


def test_the_proxy_balances_over_every_web_service():
    conf = (ROOT / "docker" / "nginx.conf").read_text()
    upstreams = set(re.findall(r"^\s*server (\S+):8000\b", conf, re.M))
    assert upstreams == {"web", "web-2", "web-3"}
    assert "proxy_pass http://web;" in conf


def test_the_web_replicas_read_dashboards_from_the_replica_and_write_to_the_primary(services):
    for name in ("web-2", "web-3"):
        environment = services[name]["environment"]
        assert "@postgres-replica:5432/sinkron" in environment["DATABASE_REPLICA_URL"], name
        assert environment["DATABASE_URL"] == services["web"]["environment"]["DATABASE_URL"], name
        assert services[name]["depends_on"]["postgres-replica"] == {"condition": "service_healthy"}
        assert services[name]["command"] == services["web"]["command"]


def test_the_replica_is_a_streaming_copy_of_the_primary():
    script = (ROOT / "docker" / "replica-entrypoint.sh").read_text()
    assert re.search(r"pg_basebackup -h postgres .*-R -X stream", script)
    hba = (ROOT / "docker" / "postgres-replication.sh").read_text()
    assert "host replication ${POSTGRES_USER} all scram-sha-256" in hba


def test_every_queue_the_settings_route_to_has_a_worker_in_the_scale_profile(services):
    from django.conf import settings

    consumed = set()
    for name in ("worker-sync", "worker-notifications", "worker-imports"):
        command = services[name]["command"]
        consumed |= set(command[command.index("-Q") + 1].split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert consumed == set(settings.CELERY_TASK_QUEUES) >= routed | {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert services["worker-sync"]["deploy"]["replicas"] == 2
