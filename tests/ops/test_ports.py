"""The tests' one port picker: below the ephemeral range, a slice per xdist worker, never a port in use."""

import socket

from tests.support import ports
from tests.support.ports import free_port


def test_a_free_port_lies_below_the_kernels_ephemeral_range_and_can_be_bound():
    port = free_port()
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    assert ports.LOWEST <= port < low
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))


def test_parallel_test_workers_draw_from_slices_that_do_not_overlap(monkeypatch):
    slices = []
    for worker in ("gw0", "gw1", "gw2"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        low, high = ports._slice()
        slices.append(set(range(low, high + 1)))
        assert low <= free_port() <= high
    assert not slices[0] & slices[1] and not slices[1] & slices[2]


def test_a_port_something_listens_on_is_never_returned(monkeypatch):
    monkeypatch.setattr(ports, "_slice", lambda: (ports.LOWEST, ports.LOWEST + 1))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", ports.LOWEST))
        taken.listen()
        assert {free_port() for _ in range(20)} == {ports.LOWEST + 1}
