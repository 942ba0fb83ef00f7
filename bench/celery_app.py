"""The help desk's Celery app as the sync benchmark runs it: `celery -A bench.celery_app worker`.

With BENCH_SHARED_SSL_CONTEXT=1 (pool spec "threads:32:fix") every httpx.Client built without an
explicit `verify` shares one SSL context. sync/registry.py builds an httpx.Client per push and check,
and a bare httpx.Client() re-reads the CA bundle; this checks whether that limits the worker. It did
not (docs/benchmarks.md): inside the help desk a RegistryClient() costs about 0.5 ms.
"""

import os

import httpx

from helpdesk.celery import app  # noqa: F401 - what `celery -A bench.celery_app` looks for

if os.environ.get("BENCH_SHARED_SSL_CONTEXT") == "1":
    _SHARED_CONTEXT = httpx.create_ssl_context()
    _original_init = httpx.Client.__init__

    def _init_with_shared_context(self, *args, verify=_SHARED_CONTEXT, **kwargs):
        _original_init(self, *args, verify=verify, **kwargs)

    httpx.Client.__init__ = _init_with_shared_context
