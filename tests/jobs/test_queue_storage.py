"""The three queue backends keep Huey's storage contract the workers rely on: priority order (Force Sync
first), FIFO within a priority, the schedule, the key/value data, and each message to exactly one of
several concurrent consumers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from huey import Huey
from huey.constants import EmptyData

from constituent.crm.errors import InvalidInput
from constituent.jobs.queue import describe, open_queue
from tests.jobs.conftest import queue_url

BACKENDS = ["sqlite", "redis", "postgresql"]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return queue_url(request.param, tmp_path)


@pytest.fixture
def huey(url: str, queue_name: str) -> Iterator[Huey]:
    queue = open_queue(url, queue_name)
    yield queue
    queue.storage.flush_all()
    queue.storage.close()


def test_higher_priority_comes_out_first_and_equal_priorities_in_order(huey: Huey) -> None:
    storage = huey.storage
    for data, priority in [(b"nightly-1", 0), (b"resync", 50), (b"nightly-2", 0), (b"force", 100)]:
        storage.enqueue(data, priority)

    assert storage.queue_size() == 4
    assert [storage.dequeue() for _ in range(4)] == [b"force", b"resync", b"nightly-1", b"nightly-2"]
    assert storage.dequeue() is None


def test_scheduled_items_come_back_once_their_time_has_come(huey: Huey) -> None:
    storage = huey.storage
    now = datetime.now(UTC).replace(tzinfo=None)
    storage.add_to_schedule(b"soon", now + timedelta(seconds=1))
    storage.add_to_schedule(b"later", now + timedelta(hours=1))

    assert storage.read_schedule(now) == []
    assert storage.read_schedule(now + timedelta(seconds=2)) == [b"soon"]
    assert storage.schedule_size() == 1


def test_data_is_kept_peeked_popped_and_put_only_when_empty(huey: Huey) -> None:
    storage = huey.storage
    storage.put_data("lock", b"1")

    assert storage.peek_data("lock") == b"1"
    assert storage.put_if_empty("lock", b"2") is False
    assert storage.pop_data("lock") == b"1"
    assert storage.peek_data("lock") is EmptyData
    assert storage.put_if_empty("lock", b"3") is True


def test_concurrent_consumers_each_get_a_message_no_one_else_got(huey: Huey, url: str) -> None:
    sent = {f"m{i}".encode() for i in range(200)}
    for data in sent:
        huey.storage.enqueue(data, 0)
    received: list[bytes] = []
    lock = threading.Lock()

    def consume() -> None:
        queue = open_queue(url, huey.name)  # its own connection, as another worker process has
        while (data := queue.storage.dequeue()) is not None:
            with lock:
                received.append(data)
        queue.storage.close()

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(received) == sorted(sent)


def test_a_task_round_trips_through_the_queue_by_its_registered_name(huey: Huey) -> None:
    done: list[int] = []

    @huey.task(name="record")
    def record(value: int) -> None:
        done.append(value)

    record(7)
    task = huey.dequeue()
    assert task is not None
    huey.execute(task)

    assert done == [7]


def test_an_unknown_queue_url_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        open_queue("amqp://somewhere")
    assert refused.value.field == "CONSTITUENT_QUEUE_URL"


def test_the_backend_is_described_without_its_address_or_credentials() -> None:
    assert describe("postgresql://user:pw@db.internal/app") == "postgresql"
    assert describe("redis://:secret@cache:6379/0") == "redis"
    assert describe("sqlite:////var/lib/constituent/queue.db") == "sqlite"
