"""The run's ledger writer (``writer.GroupWriter`` feeding ``Recorder.write``): claims and commits that
queue while a transaction is being written go together in the next one, in the order they came, each
seeing what the ones before it wrote; a failure fails its whole batch and stores none of it.

The writer's first batch is held on a ``threading.Event`` (no sleeping), so what queues behind it is
known exactly."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event

from constituent.integrations.mailchimp.client import RequestStats
from constituent.integrations.mailchimp.sync import ledger, runs
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.models import RunCounter, RunMode, RunTrigger
from constituent.integrations.mailchimp.sync.recorder import Claim, Commit, PageOutcome, Recorder
from constituent.integrations.mailchimp.sync.types import Intent, LedgerEntry, MemberError, RemoteStatus
from constituent.integrations.mailchimp.sync.writer import GroupWriter
from constituent.kit.clock import utcnow
from tests.conftest import TestDatabase
from tests.integrations.mailchimp.sync.desired_helpers import add_integration, add_person

WAIT = 10  # seconds a held batch waits at most (a safety net: the tests release it at once)


class HeldWriter:
    """A blocking write that holds its first batch until released, and remembers every batch."""

    def __init__(self, fail_on: object = None) -> None:
        self.batches: list[list[object]] = []
        self.writing = threading.Event()
        self.release = threading.Event()
        self.fail_on = fail_on

    def __call__(self, jobs: Sequence[object]) -> list[str]:
        self.batches.append(list(jobs))
        if len(self.batches) == 1:
            self.writing.set()
            self.release.wait(WAIT)
        if self.fail_on in jobs:
            raise RuntimeError(f"job {self.fail_on} could not be stored")
        return [f"stored {job}" for job in jobs]


async def _first_batch_held(held: HeldWriter, writer: GroupWriter[object, str]) -> asyncio.Task[str]:
    first = asyncio.create_task(writer.submit("first"))
    await asyncio.to_thread(held.writing.wait, WAIT)
    return first


def test_jobs_that_queue_while_a_batch_is_written_go_together_in_the_next_one_in_order() -> None:
    held = HeldWriter()

    async def run() -> tuple[str, list[str]]:
        writer: GroupWriter[object, str] = GroupWriter(held, most=10)
        first = await _first_batch_held(held, writer)
        behind = [asyncio.create_task(writer.submit(n)) for n in (1, 2, 3)]
        await asyncio.sleep(0)  # each queues its job
        held.release.set()
        return await first, list(await asyncio.gather(*behind))

    first, behind = asyncio.run(run())

    assert held.batches == [["first"], [1, 2, 3]]
    assert (first, behind) == ("stored first", ["stored 1", "stored 2", "stored 3"])


def test_a_batch_holds_at_most_its_limit_so_the_first_claims_are_not_held_back_by_the_last() -> None:
    """A slice's pages all claim at once; written as one transaction, a slice of 40 pages held every
    request back until the 40th claim was stored (0.4 s on PostgreSQL, no request in flight;
    docs/BENCHMARKS.md, session 16). At most ``most`` jobs go in a transaction, the rest in the next."""
    held = HeldWriter()

    async def run() -> list[str]:
        writer: GroupWriter[object, str] = GroupWriter(held, most=3)
        first = await _first_batch_held(held, writer)
        behind = [asyncio.create_task(writer.submit(n)) for n in range(7)]
        await asyncio.sleep(0)
        held.release.set()
        await first
        return list(await asyncio.gather(*behind))

    stored = asyncio.run(run())

    assert held.batches == [["first"], [0, 1, 2], [3, 4, 5], [6]]
    assert stored == [f"stored {n}" for n in range(7)]


def test_a_writer_whose_batches_could_hold_no_job_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one job"):
        GroupWriter(HeldWriter(), most=0)


def test_a_failed_batch_fails_every_job_in_it_and_the_next_batch_is_still_written() -> None:
    held = HeldWriter(fail_on=2)

    async def run() -> tuple[list[object], str]:
        writer: GroupWriter[object, str] = GroupWriter(held, most=10)
        first = await _first_batch_held(held, writer)
        behind = [asyncio.create_task(writer.submit(n)) for n in (1, 2)]
        await asyncio.sleep(0)
        held.release.set()
        await first
        failed = list(await asyncio.gather(*behind, return_exceptions=True))
        return failed, await writer.submit(3)

    failed, later = asyncio.run(run())

    assert [str(f) for f in failed] == ["job 2 could not be stored"] * 2
    assert (held.batches[-1], later) == ([3], "stored 3")


def test_a_job_whose_caller_gave_up_while_it_queued_is_never_written() -> None:
    held = HeldWriter()

    async def run() -> None:
        writer: GroupWriter[object, str] = GroupWriter(held, most=10)
        first = await _first_batch_held(held, writer)
        gone, kept = asyncio.create_task(writer.submit("gone")), asyncio.create_task(writer.submit("kept"))
        await asyncio.sleep(0)
        gone.cancel()
        held.release.set()
        await first
        assert await kept == "stored kept"

    asyncio.run(run())

    assert held.batches == [["first"], ["kept"]]


# -- the recorder's side: one transaction per batch, on both databases ------------------------------


def _recorder(db: TestDatabase) -> tuple[Recorder, LedgerEntry]:
    with db.sessions() as session:
        integration_id = add_integration(session).id
        contact_id = add_person(session, "ann@mailbox.org").id
        run = runs.create(
            session, integration_id, trigger=RunTrigger.cli, mode=RunMode.full, dry_run=False, now=utcnow()
        )
        session.commit()
        entry = LedgerEntry("a" * 32, "ann@mailbox.org", RemoteStatus.subscribed, contact_id)
        return Recorder(db.sessions, integration_id, run.id, RequestStats(), total=1), entry


def _commits(db: TestDatabase) -> list[int]:
    counted: list[int] = []

    def commit(connection: Any) -> None:
        counted.append(1)

    event.listen(db.engine, "commit", commit)
    return counted


def test_a_batch_is_one_transaction_and_a_claim_in_it_sees_the_commit_before_it(db: TestDatabase) -> None:
    recorder, ann = _recorder(db)
    hash_ = ann.subscriber_hash
    intent = replace(ann, intent=Intent.create)
    # Mailchimp answered "pending" (the audience asks new members to confirm).
    answered = PageOutcome(
        updates=[LedgerUpdate(replace(ann, status=RemoteStatus.pending))],
        done=1,
        expected={hash_: RemoteStatus.subscribed},  # what the claim stored
    )
    commits = _commits(db)

    changed = recorder.write(
        [
            Claim({hash_: None}, {hash_: intent}),
            Commit("members", answered),
            Claim({hash_: RemoteStatus.pending}, {}),  # planned from what the commit before it stored
            Claim({hash_: RemoteStatus.subscribed}, {}),  # planned from older news: not to be sent
        ]
    )

    assert changed == [{}, {}, {}, {hash_: RemoteStatus.pending}]
    assert len(commits) == 1
    with db.sessions() as session:
        row = ledger.row_of(session, recorder.integration_id, hash_)
        run = runs.get(session, recorder.run_id)
        assert row is not None
        assert (row.status, row.intent) == (RemoteStatus.pending, "")
        assert (run.progress_done, run.phase) == (1, "members")


def test_a_job_that_fails_rolls_back_the_whole_batch(db: TestDatabase) -> None:
    recorder, ann = _recorder(db)
    intent = LedgerEntry(ann.subscriber_hash, ann.email, RemoteStatus.subscribed, ann.contact_id)
    nobody = LedgerEntry("b" * 32, "bob@mailbox.org", RemoteStatus.subscribed, contact_id=10**9)

    # The database's own error (SQLite's through SQLAlchemy, PostgreSQL's from the driver's bulk path).
    with pytest.raises(Exception, match=r"(?i)foreign key"):  # no such contact
        recorder.write(
            [
                Claim({ann.subscriber_hash: None}, {ann.subscriber_hash: intent}),
                Commit("members", PageOutcome(updates=[LedgerUpdate(nobody)], done=1)),
            ]
        )

    with db.sessions() as session:
        assert ledger.statuses_of(session, recorder.integration_id, [ann.subscriber_hash]) == {}
        assert runs.get(session, recorder.run_id).progress_done == 0


def test_a_batch_of_pages_adds_up_its_counters_and_progress_in_one_statement(db: TestDatabase) -> None:
    recorder, _ = _recorder(db)
    pages = [
        PageOutcome(done=1, counts=Counter({RunCounter.created: 1, RunCounter.tags_added: 2}))
        for _ in range(3)
    ]
    pages[1].errors.append(MemberError("b" * 32, "bob@mailbox.org", None, "ERROR", "refused"))
    updates_of_the_run: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE SYNC_RUNS"):
            updates_of_the_run.append(statement)

    event.listen(db.engine, "after_cursor_execute", seen)
    try:
        recorder.write([Commit("members", page) for page in pages])
    finally:
        event.remove(db.engine, "after_cursor_execute", seen)

    assert len(updates_of_the_run) == 1
    with db.sessions() as session:
        run = runs.get(session, recorder.run_id)
        assert (run.created, run.tags_added, run.progress_done, run.phase) == (3, 6, 3, "members")
        assert [e.email for e in runs.errors_of(session, recorder.run_id)] == ["bob@mailbox.org"]
