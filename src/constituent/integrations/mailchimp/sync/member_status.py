"""The ledger's member statuses as sets of contact ids: the one way the CRM's searches read Mailchimp.

This is the seam between ``crm/searches`` and the Mailchimp package. It depends only on the ledger model
and its status type (which import nothing of the CRM but the contact model), so the search compiler can
import it while the sync engine imports the compiler: no import cycle. Queries live here, like a repository.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import RemoteStatus


class AudienceStatus(enum.StrEnum):
    """What a search can ask about a contact and one audience: Mailchimp's statuses, or never sent."""

    subscribed = RemoteStatus.subscribed.value
    unsubscribed = RemoteStatus.unsubscribed.value
    cleaned = RemoteStatus.cleaned.value
    pending = RemoteStatus.pending.value
    transactional = RemoteStatus.transactional.value
    archived = RemoteStatus.archived.value
    forgotten = RemoteStatus.forgotten.value
    not_in_audience = "not_in_audience"


def contacts_with_status(
    integration_id: int, statuses: Iterable[AudienceStatus], *, only: int | None = None
) -> Select[int | None]:
    """Contacts holding at least one address with one of ``statuses`` in the integration's audience
    (``only``: just that contact, so checking one contact reads only its rows)."""
    remote = [
        RemoteStatus(status.value) for status in statuses if status is not AudienceStatus.not_in_audience
    ]
    return contacts_in_audience(integration_id, only=only).where(LedgerRow.status.in_(remote))


def contacts_in_audience(integration_id: int, *, only: int | None = None) -> Select[int | None]:
    """Contacts with any address the audience has ever held through this integration."""
    query = select(LedgerRow.contact_id).where(
        LedgerRow.integration_id == integration_id, LedgerRow.contact_id.is_not(None)
    )
    return query if only is None else query.where(LedgerRow.contact_id == only)


def existing_integration_ids(session: Session, ids: Iterable[int]) -> set[int]:
    wanted = list(ids)
    found = session.scalars(select(MailchimpIntegration.id).where(MailchimpIntegration.id.in_(wanted)))
    return set(found)


# When a contact holds several addresses in one audience, one that left decides what an export says.
_LEFT = (RemoteStatus.unsubscribed, RemoteStatus.cleaned)


def audiences(session: Session) -> list[tuple[int, str]]:
    """Every connected integration's id and audience name, in the order they were added (export columns)."""
    query = select(MailchimpIntegration.id, MailchimpIntegration.audience_name).order_by(
        MailchimpIntegration.id
    )
    return [(integration_id, name or "") for integration_id, name in session.execute(query)]


def statuses_of_contacts(session: Session, contact_ids: Iterable[int]) -> dict[tuple[int, int], RemoteStatus]:
    """(contact id, integration id) -> the contact's member status in that audience, for these contacts."""
    wanted = list(contact_ids)
    query = select(LedgerRow.contact_id, LedgerRow.integration_id, LedgerRow.status).where(
        LedgerRow.contact_id.in_(wanted)
    )
    found: dict[tuple[int, int], RemoteStatus] = {}
    for contact_id, integration_id, status in session.execute(query):
        if contact_id is None:
            continue
        key = (contact_id, integration_id)
        if key not in found or status in _LEFT:
            found[key] = status
    return found
