"""The first sync started right after connecting, when the person asked for it ("Start the first sync
now" on Add Mailchimp, ``start_first_sync`` in the REST body), whichever way they connected: with an API
key, or through Mailchimp's login (the choice travels with the pending form to the OAuth return).
Otherwise nothing is sent until someone starts it (the nightly schedule waits too)."""

from __future__ import annotations

from constituent.integrations.mailchimp.schemas import ConnectRequest
from constituent.integrations.mailchimp.sync.models import RunMode, RunTrigger
from constituent.jobs.dispatch import request_sync
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

STARTED = "The first sync has started; its progress shows on this page."


def start_if_asked(
    database: Database, settings: Settings, integration_id: int, connect: ConnectRequest, trigger: RunTrigger
) -> bool:
    """Queue the first sync when asked (its own boundary: the integration must be committed already)."""
    if not connect.start_first_sync:
        return False
    request_sync(database, settings, integration_id, mode=RunMode.incremental, trigger=trigger)
    return True
