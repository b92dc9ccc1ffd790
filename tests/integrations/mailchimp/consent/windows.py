"""Opening timing windows around a real sync: runs through the holding proxy, webhooks delivered in them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.inbound.events import EventType, InboundEvent
from constituent.integrations.mailchimp.inbound.processor import apply_event
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync.models import SyncRun
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.sync.sync_helpers import Audience
from tests.support.holding_proxy import HoldingProxy


def point_at(audience: Audience, api_base: str) -> None:
    """Make the integration's runs reach Mailchimp at ``api_base`` (the proxy, or the emulator again)."""
    with session_scope(audience.product.db.sessions) as session:
        session.execute(
            update(MailchimpIntegration)
            .where(MailchimpIntegration.id == audience.integration_id)
            .values(api_base=api_base)
        )


def member_path(audience: Audience, email: str) -> str:
    return rf"/lists/{audience.audience_id}/members/{subscriber_hash(email)}$"


def batch_path(audience: Audience) -> str:
    return rf"/lists/{audience.audience_id}$"


def deliver(audience: Audience, kind: EventType, email: str, **fields: Any) -> str:
    """Mailchimp's webhook for ``email``, applied as the inbox worker applies it (its own transaction)."""
    event = InboundEvent(type=kind, fired_at=utcnow(), list_id=audience.audience_id, email=email, **fields)
    with session_scope(audience.product.db.sessions) as session:
        return apply_event(session, get_integration(session, audience.integration_id), event)


@dataclass
class Background:
    """A sync running in a thread, so the test can act while the proxy holds one of its requests."""

    run: Callable[[], SyncRun]
    result: list[SyncRun] = field(default_factory=list)
    failure: list[BaseException] = field(default_factory=list)
    thread: threading.Thread | None = None

    def start(self) -> Background:
        def target() -> None:
            try:
                self.result.append(self.run())
            except BaseException as exc:  # handed to the test by finish()
                self.failure.append(exc)

        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()
        return self

    def finish(self, timeout: float = 60) -> SyncRun:
        assert self.thread is not None
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the sync did not finish"
        if self.failure:
            raise self.failure[0]
        return self.result[0]


def sync_through(audience: Audience, proxy: HoldingProxy, **options: Any) -> Background:
    point_at(audience, proxy.api_base)
    return Background(lambda: audience.sync(**options)).start()
