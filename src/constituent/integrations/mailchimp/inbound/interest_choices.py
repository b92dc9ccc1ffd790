"""Interests are two-way: what a member ticks or unticks herself in Mailchimp (preference page) is hers.

The one place that decides what her choice does:
- an interest she unticked is remembered (``sync/unticks.py``), so no sync or Resync ticks it again;
  ticking it again herself forgets that;
- with the integration's ``interests_follow_members`` on, the group behind the interest follows: she
  leaves it (a past group saying she left it in Mailchimp, with its dates) or joins it; off, the group
  stays as it is;
- either way the change is an activity on her contact.

A difference is her choice only if our last sync of her came after the group changed in the CRM;
otherwise Mailchimp simply has not been told yet (the next sync tells it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.integrations.mailchimp.inbound.events import InboundEvent, TickedInterests
from constituent.integrations.mailchimp.inbound.members import ACTOR, Member, audience_label, note
from constituent.integrations.mailchimp.models import MailchimpIntegration, SourceKind, SourceTarget
from constituent.integrations.mailchimp.sync import unticks
from constituent.integrations.mailchimp.sync.interest_names import wanted_names

LEFT_REASON = "Unticked it in Mailchimp (audience {audience})"


@dataclass(frozen=True)
class _GroupInterest:
    interest_id: str
    name: str
    group_id: int


def follow_choices(
    session: Session, integration: MailchimpIntegration, event: InboundEvent, member: Member
) -> list[str]:
    """Apply what the member ticked and unticked; returns a line per change, for the outcome."""
    if event.ticked is None or member.owner is None:
        return []
    synced_at = member.row.last_synced_at if member.row is not None else None
    done = []
    for interest in _group_interests(session, integration):
        change = _change(session, integration, event.ticked, member, interest, synced_at)
        if change:
            _apply(session, integration, event, member, interest, change)
            done.append(f"{change} {interest.name!r}")
    return done


def _group_interests(session: Session, integration: MailchimpIntegration) -> list[_GroupInterest]:
    names = wanted_names(session, integration)
    return [
        _GroupInterest(source.interest_id, names[source.interest_id], source.group_id)
        for source in integration.sources
        if source.kind is SourceKind.group
        and source.target is SourceTarget.interest
        and source.group_id is not None
        and source.interest_id in names
    ]


def _change(
    session: Session,
    integration: MailchimpIntegration,
    ticked: TickedInterests,
    member: Member,
    interest: _GroupInterest,
    synced_at: datetime | None,
) -> str:
    """ "unticked", "ticked" or "" (no choice of hers: nothing differs, or Mailchimp is not told yet)."""
    assert member.owner is not None
    stints = groups.contact_groups(session, member.owner)
    current = [m for m in stints.current if m.group_id == interest.group_id]
    is_ticked = ticked.has(interest.interest_id, interest.name)
    unticked_before = interest.interest_id in unticks.unticked(session, integration.id, member.hash)
    if current and not is_ticked and not unticked_before:
        return "unticked" if synced_at is not None and current[0].added_at <= synced_at else ""
    if not current and is_ticked:
        ended = [m.removed_at for m in stints.past if m.group_id == interest.group_id and m.removed_at]
        told = synced_at is not None and all(at <= synced_at for at in ended)
        return "ticked" if told or unticked_before else ""
    if current and is_ticked and unticked_before:
        return "ticked"
    return ""


def _apply(
    session: Session,
    integration: MailchimpIntegration,
    event: InboundEvent,
    member: Member,
    interest: _GroupInterest,
    change: str,
) -> None:
    assert member.owner is not None
    follow = integration.interests_follow_members
    audience = audience_label(integration)
    if change == "unticked":
        unticks.record_untick(session, integration.id, member.hash, interest.interest_id, event.fired_at)
        if follow:
            groups.remove_from_group(
                session,
                interest.group_id,
                [member.owner],
                method=MembershipMethod.api,
                actor=ACTOR,
                reason=LEFT_REASON.format(audience=audience),
            )
    else:
        unticks.forget_untick(session, integration.id, member.hash, interest.interest_id)
        if follow:
            groups.add_to_group(
                session, interest.group_id, [member.owner], method=MembershipMethod.api, actor=ACTOR
            )
    verb = "Unticked" if change == "unticked" else "Ticked"
    outcome = "" if follow else " (the group was left as it is)"
    subject = f"{verb} the interest {interest.name!r} in Mailchimp{outcome}"
    details = {"interest_id": interest.interest_id, "group_id": interest.group_id, "change": change}
    note(session, integration, event, member.owner, subject, {**details, "group_followed": follow})
