"""Integration rows for tests of queueing and scheduling (no Mailchimp needed: no run is executed)."""

from __future__ import annotations

from sqlalchemy import select

from constituent.integrations.mailchimp.models import AuthKind, MailchimpIntegration
from constituent.integrations.mailchimp.sync.models import SyncRun
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


def all_runs(db: TestDatabase) -> list[SyncRun]:
    with db.sessions() as session:
        return list(session.scalars(select(SyncRun).order_by(SyncRun.id)))
