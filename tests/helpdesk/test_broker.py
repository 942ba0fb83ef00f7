"""The demo broker (helpdesk/broker.py) under concurrent publish and consume, in real processes.

kombu's own filesystem transport fails the same stress run within seconds (its consumers die with
JSONDecodeError: `python -m tests.support.broker_stress filesystem:// /tmp/x`).
"""

import logging
import os

import pytest
from kombu import Connection

import helpdesk.broker  # noqa: F401 - registers sinkronfs://
from tests.support.broker_stress import _queue, stress, transport_options


@pytest.fixture(autouse=True)
def fresh_broker_state():
    """kombu keeps a process-wide record of declared bindings; each test here has its own folder."""
    helpdesk.broker.Transport.global_state.clear()


def test_thousands_of_messages_published_and_consumed_concurrently_arrive_exactly_once(tmp_path):
    result = stress("sinkronfs://", tmp_path, publishers=4, per_publisher=750, consumers=3, binders=2)

    assert result.crashed == []
    assert len(result.lost) == 0
    assert result.duplicates == 0
    assert len(result.received) == 3000


def test_a_message_file_still_being_written_is_not_consumed(tmp_path):
    with Connection("sinkronfs://", transport_options=transport_options(tmp_path)) as connection:
        channel = connection.channel()
        _queue()(channel).declare()
        (tmp_path / "out" / f"{helpdesk.broker.TEMP_PREFIX}abc-0001_x.stress.msg").write_bytes(b"")

        assert channel.basic_get("stress") is None
        connection.Producer().publish({"n": 7}, exchange="stress", routing_key="stress")

        assert channel.basic_get("stress", no_ack=True).decode() == {"n": 7}


def test_an_unreadable_message_file_is_dropped_with_a_warning_and_the_next_one_delivered(tmp_path, caplog):
    with Connection("sinkronfs://", transport_options=transport_options(tmp_path)) as connection:
        channel = connection.channel()
        _queue()(channel).declare()
        (tmp_path / "out" / "000000000000001_bad.stress.msg").write_bytes(b"")
        connection.Producer().publish({"n": 8}, exchange="stress", routing_key="stress")

        with caplog.at_level(logging.WARNING, logger="helpdesk.broker"):
            message = channel.basic_get("stress", no_ack=True)

    assert message.decode() == {"n": 8}
    assert "dropped an unreadable message file 000000000000001_bad.stress.msg" in caplog.text
    assert os.listdir(tmp_path / "out") == []


def test_the_exchange_table_is_rewritten_whole_when_queues_are_bound_and_deleted(tmp_path):
    with Connection("sinkronfs://", transport_options=transport_options(tmp_path)) as connection:
        channel = connection.channel()
        first, second = _queue("one")(channel), _queue("two")(channel)
        first.declare()
        second.declare()
        assert {row.queue for row in channel.get_table("stress")} == {"one", "two"}

        first.delete()

        assert [row.queue for row in channel.get_table("stress")] == ["two"]
        assert sorted(os.listdir(tmp_path / "control")) == ["stress.exchange", "stress.exchange.lock"]


def test_the_broker_makes_its_own_folders_when_a_process_first_uses_it(tmp_path):
    folder = tmp_path / "broker"
    options = {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
    }
    with Connection("sinkronfs://", transport_options=options) as connection:
        channel = connection.channel()
        _queue()(channel).declare()
        connection.Producer().publish({"n": 9}, exchange="stress", routing_key="stress")

        assert channel.basic_get("stress", no_ack=True).decode() == {"n": 9}
    assert sorted(path.name for path in folder.iterdir()) == ["control", "out", "processed"]


def test_the_broker_makes_no_folder_that_is_not_configured(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Connection("sinkronfs://") as connection:
        connection.channel()
    assert list(tmp_path.iterdir()) == []
