"""Local secrets generated into var/: every process that starts on a fresh checkout gets the same key."""

import multiprocessing
import secrets
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from helpdesk.env import secret_from_env_or_file


def _read_or_create(path: str, start, results) -> None:
    start.wait()
    results.put(
        secret_from_env_or_file("SINKRON_TEST_UNSET_SECRET", Path(path), generate=_slow, required=False)
    )


def _slow() -> str:
    time.sleep(0.05)  # as long as every racer takes to see no file: they all generate a key
    return _fresh()


def _fresh() -> str:
    return secrets.token_hex(16)


def test_processes_racing_to_generate_a_secret_all_end_up_with_the_one_in_the_file(tmp_path):
    path = tmp_path / "var" / "secret_key"
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    racers = [context.Process(target=_read_or_create, args=(str(path), start, results)) for _ in range(8)]
    for racer in racers:
        racer.start()
    start.set()
    seen = {results.get(timeout=20) for _ in racers}
    for racer in racers:
        racer.join(timeout=20)
    assert seen == {path.read_text()}
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"], "no temporary file is left behind"


def test_a_secret_already_generated_is_read_back_not_replaced(tmp_path):
    path = tmp_path / "secret_key"
    first = secret_from_env_or_file("SINKRON_TEST_UNSET_SECRET", path, generate=_fresh, required=False)
    again = secret_from_env_or_file("SINKRON_TEST_UNSET_SECRET", path, generate=_fresh, required=False)
    assert first == again


def test_a_secret_from_the_environment_wins_and_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SINKRON_TEST_SET_SECRET", " from-env ")
    path = tmp_path / "secret_key"
    assert (
        secret_from_env_or_file("SINKRON_TEST_SET_SECRET", path, generate=_fresh, required=True) == "from-env"
    )
    assert not path.exists()


def test_a_missing_secret_in_production_is_a_configuration_error(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SINKRON_TEST_UNSET_SECRET must be set"):
        secret_from_env_or_file("SINKRON_TEST_UNSET_SECRET", tmp_path / "k", generate=_fresh, required=True)
