"""Each xdist worker gets its own Redis database (tests/support/xdist_env.py)."""

import pytest

from tests.support.xdist_env import redis_url_for, worker_index


@pytest.mark.parametrize(
    "url,index,expected",
    [
        ("redis://127.0.0.1:6379/15", 0, "redis://127.0.0.1:6379/15"),
        ("redis://127.0.0.1:6379/15", 1, "redis://127.0.0.1:6379/14"),
        ("redis://127.0.0.1:6379/0", 1, "redis://127.0.0.1:6379/15"),
        ("redis://127.0.0.1:6379", 2, "redis://127.0.0.1:6379/14"),
    ],
)
def test_a_worker_moves_down_from_the_given_database(url, index, expected):
    assert redis_url_for(url, index) == expected


def test_the_worker_index_comes_from_xdist(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    assert worker_index() == 3
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert worker_index() == 0
