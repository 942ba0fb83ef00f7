"""Concurrent publish and consume on a filesystem-style broker, in separate processes.

Publishers send numbered messages to one queue through the broker URL given; consumers drain it
and write every number they receive to a file of their own; a "binder" process keeps declaring
fresh queues on the same exchange meanwhile (the exchange table rewrites kombu's transport gets
wrong). Nothing is mocked: each process opens its own kombu Connection.

    python -m tests.support.broker_stress sinkronfs:// /tmp/broker    # the demo broker: passes
    python -m tests.support.broker_stress filesystem:// /tmp/broker   # kombu's own: loses/crashes
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

QUEUE = "stress"
EXCHANGE = "stress"


def transport_options(folder: Path) -> dict:
    """The options helpdesk/settings.py gives the demo broker, rooted in `folder`."""
    for name in ("out", "processed", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        "control_folder": str(folder / "control"),
        "polling_interval": 0.01,
    }


def _connection(url: str, folder: Path):
    from kombu import Connection

    import helpdesk.broker  # noqa: F401 - registers sinkronfs://

    return Connection(url, transport_options=transport_options(folder))


def _queue(name: str = QUEUE):
    from kombu import Exchange, Queue

    return Queue(name, Exchange(EXCHANGE, type="direct"), routing_key=name)


def publish(url: str, folder: Path, first: int, count: int) -> None:
    with _connection(url, folder) as connection:
        producer = connection.Producer()
        queue = _queue()
        for number in range(first, first + count):
            producer.publish(
                {"n": number}, exchange=queue.exchange, routing_key=QUEUE, declare=[queue], serializer="json"
            )


def consume(url: str, folder: Path, out: Path, stop_after_idle: float) -> None:
    received = out.open("a")

    def on_message(body, message):
        received.write(f"{body['n']}\n")
        received.flush()
        message.ack()

    with _connection(url, folder) as connection, connection.Consumer(_queue(), callbacks=[on_message]):
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < stop_after_idle:
            try:
                connection.drain_events(timeout=0.2)
                idle_since = time.monotonic()
            except TimeoutError:
                pass


def churn_bindings(url: str, folder: Path, rounds: int) -> None:
    with _connection(url, folder) as connection:
        channel = connection.channel()
        for round_ in range(rounds):
            _queue(f"{QUEUE}-extra-{os.getpid()}-{round_}")(channel).declare()


def _run(target, *args) -> None:
    """Run `target` in a child; exit 1 with the traceback on stderr if it raises (a 'crash')."""
    try:
        target(*args)
    except BaseException:  # noqa: BLE001 - any failure is what the stress test counts
        traceback.print_exc()
        sys.exit(1)


@dataclass
class Result:
    published: int
    received: list[int] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)

    @property
    def lost(self) -> set[int]:
        return set(range(self.published)) - set(self.received)

    @property
    def duplicates(self) -> int:
        return len(self.received) - len(set(self.received))


def stress(
    url: str,
    folder: Path,
    *,
    publishers: int = 4,
    per_publisher: int = 750,
    consumers: int = 3,
    binders: int = 2,
    timeout: float = 90,
) -> Result:
    """Publish publishers x per_publisher messages while `consumers` processes drain them."""
    context = multiprocessing.get_context("spawn")
    folder.mkdir(parents=True, exist_ok=True)
    outputs = [folder / f"consumer-{index}.txt" for index in range(consumers)]
    children = {}
    for index, out in enumerate(outputs):
        children[f"consumer-{index}"] = context.Process(target=_run, args=(consume, url, folder, out, 3.0))
    for index in range(publishers):
        first = index * per_publisher
        children[f"publisher-{index}"] = context.Process(
            target=_run, args=(publish, url, folder, first, per_publisher)
        )
    for index in range(binders):
        children[f"binder-{index}"] = context.Process(target=_run, args=(churn_bindings, url, folder, 200))
    for child in children.values():
        child.start()
    deadline = time.monotonic() + timeout
    for child in children.values():
        child.join(max(0.1, deadline - time.monotonic()))
    result = Result(published=publishers * per_publisher)
    for name, child in children.items():
        if child.is_alive():
            child.kill()
            result.crashed.append(f"{name} (hung)")
        elif child.exitcode != 0:
            result.crashed.append(f"{name} (exit {child.exitcode})")
    for out in outputs:
        if out.exists():
            result.received += [int(line) for line in out.read_text().split()]
    return result


if __name__ == "__main__":
    url, folder = sys.argv[1], Path(sys.argv[2])
    started = time.monotonic()
    outcome = stress(url, folder)
    print(
        f"{url}: {outcome.published} published, {len(outcome.received)} received, "
        f"{len(outcome.lost)} lost, {outcome.duplicates} duplicates, crashed: {outcome.crashed or 'none'} "
        f"({time.monotonic() - started:.1f} s)"
    )
