"""What a run plans from: the desired state and the part of the ledger it is compared with.

- the contacts looked at: every contact (full, the first run, after a layout change), or those that may
  have changed since the last run (``candidates_since``: ``incremental_candidates`` plus the tag and
  audience drift it finds);
- each slice of them (``slices``) against the ledger rows of those contacts and addresses
  (``slice_inputs``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.desired import (
    DesiredResult,
    build_desired,
    incremental_candidates,
)
from constituent.integrations.mailchimp.sync.planner import PlanOptions, plan
from constituent.integrations.mailchimp.sync.refresh import RefreshedView
from constituent.integrations.mailchimp.sync.tagging import SyncLayout
from constituent.integrations.mailchimp.sync.types import LedgerEntry, Plan


@dataclass(frozen=True)
class Inputs:
    desired: DesiredResult
    ledger: dict[str, LedgerEntry]
    scope: frozenset[str] | None  # None: everything (a full comparison)


def whole(
    session: Session, integration: MailchimpIntegration, today: date, layout: SyncLayout | None = None
) -> Inputs:
    """Every desired member against the whole ledger, in memory (the health check; a sync runs in
    slices, ``slice_inputs``)."""
    desired = build_desired(session, integration, today, layout=layout)
    return Inputs(desired, ledger.load_all(session, integration.id), None)


def candidates_since(
    session: Session,
    integration: MailchimpIntegration,
    today: date,
    since: datetime,
    last_config: str | None,
    layout: SyncLayout,
) -> list[int] | None:
    """The contacts an incremental run looks at, in id order; None when the layout changed since the
    last run and every contact must be looked at (``incremental_candidates``)."""
    candidates = incremental_candidates(
        session, integration, since, today, last_config=last_config, layout=layout
    )
    if candidates.needs_full:
        return None
    ledger_tags = ledger.contact_ids_by_tag(session, integration.id, candidates.tag_members.keys())
    present = ledger.present_contact_ids(session, integration.id) if candidates.audience is not None else ()
    return sorted(candidates.with_drift(ledger_tags, present))


def slice_inputs(
    session: Session,
    integration: MailchimpIntegration,
    today: date,
    contact_ids: Collection[int],
    layout: SyncLayout,
    *,
    first: bool,
    overlay: RefreshedView | None = None,
    per_contact: bool = False,
) -> Inputs:
    """What one slice of a run plans from: the ledger rows of ``contact_ids`` and the desired members of
    their addresses, with the ledger rows of those addresses (see ``slices``).

    ``first``: also the members of contacts deleted since (they leave no contact to slice by).
    ``overlay``: a dry run's ledger as refreshed from Mailchimp, read instead of the stored rows.
    ``per_contact``: read the searches per contact (``desired.reads_per_contact``).
    """
    by_contact = ledger.load_by_contacts(session, integration.id, contact_ids)
    if first:
        by_contact |= ledger.with_deleted_owners(session, integration.id)
    by_contact = _overlaid(by_contact, overlay)
    desired = build_desired(
        session,
        integration,
        today,
        contact_ids,
        also_addresses=[e.email for e in by_contact.values()],
        layout=layout,
        per_contact=per_contact,
    )
    # Members of these contacts are mostly loaded already: read only the addresses still missing.
    missing = desired.members.keys() - by_contact.keys()
    entries = by_contact | _overlaid(ledger.load_by_hashes(session, integration.id, missing), overlay)
    if overlay is not None:
        # Members the refresh found that the ledger has no row for (signed up in Mailchimp, say).
        entries |= {h: overlay.changed[h] for h in missing - entries.keys() if h in overlay.changed}
    return Inputs(desired, entries, frozenset(desired.members) | frozenset(entries))


def _overlaid(entries: dict[str, LedgerEntry], overlay: RefreshedView | None) -> dict[str, LedgerEntry]:
    return entries if overlay is None else overlay.over(entries)


def options_for(integration: MailchimpIntegration, inputs: Inputs) -> PlanOptions:
    return PlanOptions(
        status_if_new="pending" if integration.double_optin else "subscribed",
        owned_tags=inputs.desired.owned_tags,
        left_tags=inputs.desired.left_tags,
    )


def make_plan(
    integration: MailchimpIntegration, inputs: Inputs, ledger_view: Mapping[str, LedgerEntry]
) -> Plan:
    options = options_for(integration, inputs)
    return plan(inputs.desired.members, ledger_view, options, inputs.scope)
