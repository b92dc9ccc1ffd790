"""Which integrations a Mailchimp → database pass works on, read in one short transaction."""

from __future__ import annotations

from dataclasses import dataclass

from constituent.integrations.mailchimp import repository
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.credentials import credentials_for
from constituent.integrations.mailchimp.service import get_integration
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings


@dataclass(frozen=True)
class Target:
    integration_id: int
    audience_id: str
    audience_name: str
    credentials: Credentials


def targets(database: Database, settings: Settings, integration_id: int | None) -> list[Target]:
    """The one integration asked for (NotFound if unknown), or every connected one."""
    box = SecretBox.from_settings(settings)
    with session_scope(database.sessions) as session:
        if integration_id is not None:
            chosen = [get_integration(session, integration_id)]
        else:
            chosen = list(repository.list_all(session))
        return [
            Target(i.id, i.audience_id, i.audience_name, credentials_for(i, box))
            for i in chosen
            if i.secret_encrypted
        ]
