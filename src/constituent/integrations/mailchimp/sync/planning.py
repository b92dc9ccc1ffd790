"""What a run plans from: the desired state and the part of the ledger it is compared with.

- full (and the first run, and after a layout change): every desired member against the whole ledger;
- incremental: only the contacts that may have changed since the last run (``incremental_candidates``
  plus the tag and audience drift it finds), against the ledger rows of those contacts and addresses.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from constituent.integrations.mailchimp.sync.tagging import SyncLayout, layout_for
from constituent.integrations.mailchimp.sync.types import LedgerEntry, Plan, RemoteStatus


@dataclass(frozen=True)
class Inputs:
    desired: DesiredResult
    ledger: dict[str, LedgerEntry]
    scope: frozenset[str] | None  # None: everything (a full comparison)
    audience_size: int | None = None  # subscribed members in the whole ledger, when only a part is loaded


def whole(
    session: Session, integration: MailchimpIntegration, today: date, layout: SyncLayout | None = None
) -> Inputs:
    desired = build_desired(session, integration, today, layout=layout)
    return Inputs(desired, ledger.load_all(session, integration.id), None)


def changed_since(
    session: Session, integration: MailchimpIntegration, today: date, since: datetime, last_config: str | None
) -> Inputs:
    # The layout is built once per run: the candidates and the desired state read the same one.
    layout = layout_for(session, integration, today)
    candidates = incremental_candidates(
        session, integration, since, today, last_config=last_config, layout=layout
    )
    if candidates.needs_full:
        return whole(session, integration, today, layout)
    ledger_tags = ledger.contact_ids_by_tag(session, integration.id, candidates.tag_members.keys())
    present = ledger.present_contact_ids(session, integration.id) if candidates.audience is not None else ()
    contact_ids = candidates.with_drift(ledger_tags, present)
    # Deleted contacts leave no changed row behind: their members are found in the ledger instead.
    by_contact = ledger.load_by_contacts(session, integration.id, contact_ids) | ledger.with_deleted_owners(
        session, integration.id
    )
    desired = build_desired(
        session,
        integration,
        today,
        contact_ids,
        also_addresses=[e.email for e in by_contact.values()],
        layout=layout,
    )
    # Members of these contacts are mostly loaded already: read only the addresses still missing.
    missing = desired.members.keys() - by_contact.keys()
    entries = by_contact | ledger.load_by_hashes(session, integration.id, missing)
    subscribed = ledger.count_by_status(session, integration.id).get(RemoteStatus.subscribed, 0)
    return Inputs(desired, entries, frozenset(desired.members) | frozenset(entries), subscribed)


def options_for(integration: MailchimpIntegration, inputs: Inputs, *, confirm_removals: bool) -> PlanOptions:
    return PlanOptions(
        status_if_new="pending" if integration.double_optin else "subscribed",
        owned_tags=inputs.desired.owned_tags,
        left_tags=inputs.desired.left_tags,
        guard_percent=integration.removal_guard_percent,
        confirm_removals=confirm_removals,
        audience_size=inputs.audience_size,
    )


def make_plan(
    integration: MailchimpIntegration,
    inputs: Inputs,
    ledger_view: Mapping[str, LedgerEntry],
    *,
    confirm_removals: bool,
) -> Plan:
    options = options_for(integration, inputs, confirm_removals=confirm_removals)
    return plan(inputs.desired.members, ledger_view, options, inputs.scope)
