"""The demo's serverless broker: kombu's filesystem transport, made safe for concurrent use.

kombu 5.7's filesystem transport creates a message file and only then writes it, and consumers read
without its lock: a worker polling at that moment reads an empty file and dies with
`Unrecoverable error: JSONDecodeError`. Its exchange table is rewritten in place ("wb") the same way.
Here every file appears whole or not at all: it is written under a name no reader looks at and
`os.replace`d into place. A consumer claims a message by `os.rename` into the processed folder on
the same filesystem, which exactly one consumer can win.

Registered as the `sinkronfs://` broker URL (helpdesk/settings.py uses it when REDIS_URL is empty).
"""

from __future__ import annotations

import fcntl
import logging
import os
import uuid
from contextlib import contextmanager
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.transport.virtual import Empty
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

SCHEME = "sinkronfs"
TEMP_PREFIX = ".tmp-"  # a file being written; never a message to any reader


def write_atomically(path: str, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the whole file or no file."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f"{TEMP_PREFIX}{uuid.uuid4().hex}-{name}")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except OSError:
        _remove_quietly(temp)
        raise


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


class Channel(filesystem.Channel):
    """A filesystem channel whose messages and exchange tables are never seen half-written."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The configured folders are made here, when a process first uses the broker, not by the
        # settings; kombu's defaults (relative to wherever the process runs) are never created.
        for option in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if option in self.transport_options:
                os.makedirs(self.transport_options[option], exist_ok=True)

    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000)):015d}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        try:
            write_atomically(path, str_to_bytes(dumps(payload)))
        except OSError as exc:
            raise ChannelError(f"Cannot add message {name!r} to the broker folder") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.startswith(TEMP_PREFIX) or name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(self.processed_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                continue  # another consumer claimed it first
            except OSError as exc:
                raise ChannelError(f"Cannot claim message {name!r}") from exc
            payload = self._read_claimed(claimed)
            if payload is not None:
                return payload
        raise Empty()

    def _read_claimed(self, path: str):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise ChannelError(f"Cannot read claimed message {os.path.basename(path)!r}") from exc
        if not self.store_processed:
            _remove_quietly(path)
        try:
            return loads(bytes_to_str(data))
        except ValueError:
            # Only a file someone else put in the folder can get here; it must not stop a worker.
            logger.warning("broker: dropped an unreadable message file %s", os.path.basename(path))
            return None

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._exchange_locked(exchange) as table:
            if entry not in table:
                table.insert(0, entry)

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        # virtual.Channel's own bookkeeping, skipping the in-place rewrite of filesystem.Channel
        super(filesystem.Channel, self)._delete(queue, exchange, routing_key, pattern, *args, **kwargs)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._exchange_locked(exchange) as table:
            while entry in table:
                table.remove(entry)

    def get_table(self, exchange):
        file = self._exchange_file(exchange)
        try:
            return [filesystem.exchange_queue_t(*row) for row in loads(bytes_to_str(file.read_bytes()))]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc

    @contextmanager
    def _exchange_locked(self, exchange):
        """Yield the exchange's table as a list to change; write it back atomically if changed.

        Writers serialise on a separate lock file: the table file itself is replaced, so a lock on
        it would be a lock on a file that is about to disappear.
        """
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(parents=True, exist_ok=True)
        with open(f"{file}.lock", "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                table = self.get_table(exchange)
                before = list(table)
                yield table
                if table != before:
                    write_atomically(str(file), str_to_bytes(dumps(table)))
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


class Transport(filesystem.Transport):
    Channel = Channel
    global_state = filesystem.virtual.BrokerState()
    driver_type = SCHEME
    driver_name = SCHEME


TRANSPORT_ALIASES.setdefault(SCHEME, "helpdesk.broker:Transport")
