"""The public page's limits hold across web processes: two servers, one Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.cache import cache

from tests.cast import NIK
from tests.support.ports import free_port

REPO = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def second_server(transactional_db):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), "make test runs with REDIS_URL"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "STATUS_RATE_PER_IP": "4/1000000000",
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "FIELD_HMAC_KEY": settings.FIELD_HMAC_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "helpdesk.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--no-control-socket",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"second server did not start: {process.stderr.read().decode()[-2000:]}")
    yield url
    process.terminate()
    process.wait(timeout=10)


def lookup(base_url: str) -> int:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        page = http.get("/cek-status/")
        token = page.cookies["csrftoken"]
        return http.post(
            "/cek-status/",
            data={"nik": NIK, "kode": "ABCDEFGHJK", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base_url}/cek-status/"},
        ).status_code


def test_the_ip_limit_is_shared_by_two_server_processes(live_server, second_server, settings):
    settings.STATUS_RATE_PER_IP = "4/1000000000"
    cache.clear()
    codes = [
        lookup(server)
        for server in (
            live_server.url,
            second_server,
            live_server.url,
            second_server,
            live_server.url,
            second_server,
        )
    ]
    assert codes == [200, 200, 200, 200, 429, 429]
