"""Webhook intake: check the URL's secret, store the delivery in the inbox, answer.

Deliveries are written by a writer task that gathers whatever arrived while the previous write was
committing into one executemany INSERT and one commit (group commit); on PostgreSQL a few writers
overlap their commits. Each request still waits for the commit that holds its row, so a 200 always
means "stored"; at a thousand deliveries a second the database sees a few dozen commits, not a thousand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp import repository as integrations
from constituent.integrations.mailchimp.inbound import repository
from constituent.integrations.mailchimp.inbound.announcer import Announcer, ProcessingHook
from constituent.integrations.mailchimp.inbound.events import InboundEvent
from constituent.integrations.mailchimp.inbound.models import InboxStatus
from constituent.integrations.mailchimp.inbound.secret_cache import SecretCache, secret_is
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

MAX_BATCH = 1000
POSTGRES_WRITERS = 4


def inbox_row(integration_id: int, body: bytes, event: InboundEvent) -> dict[str, Any]:
    return {
        "integration_id": integration_id,
        "received_at": utcnow(),
        "body": body.decode("utf-8"),
        "event_type": event.type.value,
        "fired_at": event.fired_at,
        "subscriber_hash": subscriber_hash(event.email) if event.email else "",
        "status": InboxStatus.received,
        "attempts": 0,
        "outcome": "",
        "error": "",
    }


@dataclass
class _Loop:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[bool]]]
    writers: set[asyncio.Task[None]] = field(default_factory=set)


@dataclass
class Intake:
    database: Database
    settings: Settings
    on_stored: ProcessingHook | None = None
    secrets: SecretCache = field(init=False)
    announcer: Announcer = field(init=False)
    _loops: dict[int, _Loop] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.secrets = SecretCache(self._load_secret)
        self.announcer = Announcer(self.settings, self.on_stored)

    async def secret_matches(self, integration_id: int, secret: str) -> bool:
        hit, expected = self.secrets.cached(integration_id)
        if not hit:
            expected = await asyncio.to_thread(self.secrets.refresh, integration_id)
        return secret_is(expected, secret)

    async def store(self, row: dict[str, Any]) -> bool:
        """Wait until ``row`` is committed; False when its integration no longer exists."""
        state = self._loop_state()
        future: asyncio.Future[bool] = state.loop.create_future()
        state.queue.put_nowait((row, future))
        # Writers still running: one that has returned stays in the set until its done-callback runs,
        # and counting it left a row stored in that moment waiting for good (test_intake_writer.py).
        if sum(not writer.done() for writer in state.writers) < self._max_writers():
            writer = state.loop.create_task(self._drain(state))
            state.writers.add(writer)
            writer.add_done_callback(state.writers.discard)
        return await future

    def _max_writers(self) -> int:
        # SQLite has one writer at a time anyway; PostgreSQL overlaps commits (each waits for its fsync).
        return 1 if self.database.engine.dialect.name == "sqlite" else POSTGRES_WRITERS

    def _load_secret(self, integration_id: int) -> str | None:
        with session_scope(self.database.sessions) as session:
            integration = integrations.get(session, integration_id)
            if integration is None:
                return None
            return SecretBox.from_settings(self.settings).decrypt(integration.webhook_secret_encrypted)

    def _loop_state(self) -> _Loop:
        loop = asyncio.get_running_loop()
        state = self._loops.get(id(loop))
        if state is None or state.loop is not loop:
            # A server has one loop; tests start and stop many: forget the closed ones.
            self._loops = {key: st for key, st in self._loops.items() if not st.loop.is_closed()}
            state = self._loops[id(loop)] = _Loop(loop, asyncio.Queue())
        return state

    async def _drain(self, state: _Loop) -> None:
        while not state.queue.empty():
            batch = [state.queue.get_nowait() for _ in range(min(MAX_BATCH, state.queue.qsize()))]
            rows = [row for row, _ in batch]
            try:
                stored = await asyncio.to_thread(self._write, rows)
            except Exception as exc:  # the database is down: each waiting request answers 500
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), outcome in zip(batch, stored, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    def _write(self, rows: Sequence[dict[str, Any]]) -> list[bool | Exception]:
        stored: list[bool | Exception]
        try:
            with session_scope(self.database.sessions) as session:
                repository.insert_many(session, rows)
            stored = [True] * len(rows)
        except DBAPIError as exc:
            if not isinstance(exc, IntegrityError | DataError):
                raise
            # One row refused (an integration removed since its secret was cached, or a value the
            # database cannot hold): find which, store the others, fail only that one.
            stored = [self._write_one(row) for row in rows]
        self.announcer.add(
            {row["integration_id"] for row, ok in zip(rows, stored, strict=True) if ok is True}
        )
        return stored

    def _write_one(self, row: dict[str, Any]) -> bool | Exception:
        try:
            with session_scope(self.database.sessions) as session:
                repository.insert_many(session, [row])
        except IntegrityError:
            return False
        except DataError as exc:
            return exc
        return True
