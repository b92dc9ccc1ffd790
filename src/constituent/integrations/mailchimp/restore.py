"""Restoring members someone archived by hand in Mailchimp (issue 14): only on an administrator's request.

A member archived in Mailchimp by someone there is left archived by every sync and Resync: it may have been
a colleague's deliberate choice. When it was not (a clean-up gone wrong), the administrator restores them:
the members archived by hand while they were subscribed to us, with nothing since saying the person left
(no unsubscribe, clean, compliance hold or deletion recorded), become ours to bring back, and the next sync
re-adds those whose contact still qualifies, exactly as it brings back a member it archived itself
(Mailchimp needs ``status`` for that: REAL-BEHAVIOUR row 2). Services never commit.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.inbound import repository as inbound
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync import ledger
from constituent.kit.clock import utcnow


def restore_hand_archived(session: Session, integration_id: int) -> int:
    """Mark them for the next sync (their contacts become its candidates); returns how many."""
    get_integration(session, integration_id)
    emails = ledger.make_hand_archived_ours(session, integration_id)
    inbound.touch_addresses(session, emails, utcnow())
    return len(emails)
