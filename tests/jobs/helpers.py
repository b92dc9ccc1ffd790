"""Integration rows for tests of queueing and scheduling (no Mailchimp needed: no run is executed)."""

from __future__ import annotations

from sqlalchemy import select

from constituent.integrations.mailchimp.models import AuthKind, MailchimpIntegration
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase


def bare_integrations(db: TestDatabase, *nightly_times: str) -> list[int]:
    """One integration row per nightly time given (credentials are placeholders; nothing connects)."""
    with session_scope(db.sessions) as session:
        rows = [
            MailchimpIntegration(
                name=f"Audience {i}",
                auth_kind=AuthKind.api_key,
                secret_encrypted="not-used",
                dc="us1",
                api_base="http://127.0.0.1:9/3.0",
                audience_id=f"list{i}",
                webhook_secret_encrypted="not-used",
                nightly_time=nightly_time,
            )
            for i, nightly_time in enumerate(nightly_times)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def synced_integrations(db: TestDatabase, *nightly_times: str) -> list[int]:
    """Like ``bare_integrations``, each with its first sync done (the nightly schedule waits for it)."""
    ids = bare_integrations(db, *nightly_times)
    with session_scope(db.sessions) as session:
        for integration_id in ids:
            run = runs.create(
                session,
                integration_id,
                trigger=RunTrigger.ui,
                mode=RunMode.incremental,
                dry_run=False,
                now=utcnow(),
            )
            runs.finish(session, run.id, status=RunStatus.succeeded, phase="done", finished_at=utcnow())
    return ids


def nightly_runs(db: TestDatabase) -> list[SyncRun]:
    return [run for run in all_runs(db) if run.trigger is RunTrigger.schedule]


def all_runs(db: TestDatabase) -> list[SyncRun]:
    with db.sessions() as session:
        return list(session.scalars(select(SyncRun).order_by(SyncRun.id)))
