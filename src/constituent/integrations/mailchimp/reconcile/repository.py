"""Queries for the reconciliation watermark."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.reconcile.models import ReconcileState
from constituent.integrations.mailchimp.sync.models import LedgerRow


def get(session: Session, integration_id: int) -> ReconcileState | None:
    return session.get(ReconcileState, integration_id)


def save(session: Session, integration_id: int, **values: Any) -> None:
    state = session.get(ReconcileState, integration_id)
    if state is None:
        state = ReconcileState(integration_id=integration_id, members_read=0, events_applied=0, last_error="")
        session.add(state)
    for name, value in values.items():
        setattr(state, name, value)
    session.flush()


def has_ledger(session: Session, integration_id: int) -> bool:
    query = select(LedgerRow.id).where(LedgerRow.integration_id == integration_id).limit(1)
    return session.scalar(query) is not None
