"""Give each pytest-xdist worker its own Redis database and var/ directory.

Loaded with `-p` (pyproject's addopts) so it runs before Django reads its settings. The first worker
(and a run without xdist) keeps the environment as given; worker gwN uses Redis database (db - N) mod
16 and `<SINKRON_VAR_DIR>-gwN`, so caches, rate limits, Celery queues and files never cross workers.
The test databases are already per worker: pytest-django suffixes their names.
"""

import os
from urllib.parse import urlsplit, urlunsplit


def worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return int(worker) if worker.isdigit() else 0


def redis_url_for(url: str, index: int) -> str:
    """Return `url` pointing at the database `index` places below its own (wrapping at 16)."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(database - index) % 16}"))


def _isolate() -> None:
    index = worker_index()
    if index == 0:
        return
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_url_for(os.environ["REDIS_URL"], index)
    if os.environ.get("SINKRON_VAR_DIR"):
        os.environ["SINKRON_VAR_DIR"] = f"{os.environ['SINKRON_VAR_DIR']}-gw{index}"


_isolate()
