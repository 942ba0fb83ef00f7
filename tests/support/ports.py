"""One way for tests to pick a TCP port for a server they start.

Binding port 0 and releasing it (the usual trick) races: the kernel may hand the same port to the
next client connection, or to another test process, before the server binds it. Ports here come
from below the kernel's ephemeral range, so no outgoing connection is ever given one, and each
pytest-xdist worker draws from its own slice, so parallel runs never pick the same port.
"""

import os
import random
import socket

LOWEST, HIGHEST = 20000, 32000  # below Linux's ephemeral range (32768-60999)
_SLICES = 8


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on and no other test process will choose."""
    low, high = _slice()
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {low} and {high}")


def _slice() -> tuple[int, int]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) % _SLICES if worker.isdigit() else 0
    width = (HIGHEST - LOWEST) // _SLICES
    return LOWEST + index * width, LOWEST + (index + 1) * width - 1
