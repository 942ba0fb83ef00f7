"""The help desk's Celery app as the sync benchmark runs it: `celery -A bench.celery_app worker`.

With BENCH_SHARED_SSL_CONTEXT=1 every httpx.Client built without an explicit `verify` shares one
SSL context. That is the fix proposed in docs/benchmarks.md for sync/registry.py, which builds an
httpx.Client per unit of work and so re-reads the CA bundle (tens of ms of CPU, holding the GIL)
for every push and check; the benchmark runs the worker both ways to show what the fix is worth.
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
