"""Applies one inbound event to the database: idempotent, order-safe, never commits.

Webhook deliveries and reconciliation both come through here. Order: each member keeps the time of
the newest event applied to it (``MemberEventClock``); an event older than that changes nothing, so a
retry delivered late cannot undo what a newer event did. Idempotence: every write is a "set to"
(ledger status, group removal, email status) or keyed (activities' dedupe keys), so the same event
twice ends in the same state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.campaigns import service as campaigns
from constituent.integrations.mailchimp.inbound import profile_events, repository, status_events
from constituent.integrations.mailchimp.inbound.events import EventType, InboundEvent
from constituent.integrations.mailchimp.models import MailchimpIntegration


@dataclass(frozen=True, slots=True)
class EventOutcome:
    """What applying an event did: ``applied`` False when it changed nothing by rule (another audience, a
    campaign not sent, older than an event already applied), so the inbox marks it ignored."""

    text: str  # short, for the inbox and the logs ("unsubscribed (...)", "stale ...", "ignored: ...")
    applied: bool = True
    # A sent campaign was scheduled for tracking: the boundary asks for its import once this commits.
    campaign_sent: bool = False

    def __str__(self) -> str:
        return self.text


STALE = EventOutcome("stale (a newer event was applied)", applied=False)
Handler = Callable[[Session, MailchimpIntegration, InboundEvent], str]

_MEMBER_HANDLERS: dict[EventType, Handler] = {
    EventType.subscribe: status_events.subscribe,
    EventType.unsubscribe: status_events.unsubscribe,
    EventType.cleaned: status_events.cleaned,
    EventType.upemail: profile_events.upemail,
    EventType.profile: profile_events.profile,
}


def apply_event(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> EventOutcome:
    """Apply ``event`` and say what it did."""
    if event.list_id != integration.audience_id:
        return EventOutcome("ignored: another audience", applied=False)
    if event.type is EventType.campaign:
        return _campaign(session, integration, event)
    member_hash = subscriber_hash(event.email)
    clock = repository.event_clock(session, integration.id, member_hash)
    if clock is not None and event.fired_at < clock.last_event_at:
        return STALE
    outcome = _MEMBER_HANDLERS[event.type](session, integration, event)
    repository.advance_clock(session, integration.id, member_hash, event.fired_at)
    if event.type is EventType.upemail:
        repository.advance_clock(session, integration.id, subscriber_hash(event.new_email), event.fired_at)
    return EventOutcome(outcome)


def _campaign(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> EventOutcome:
    if event.campaign_status not in ("", "sent"):
        return EventOutcome(f"ignored: campaign {event.campaign_status}", applied=False)
    campaigns.schedule_tracking(
        session, integration, event.campaign_id, send_time=event.fired_at, subject=event.subject
    )
    return EventOutcome("campaign tracking scheduled", campaign_sent=True)
