"""Running a health check: read the whole audience (read only: nothing is written to Mailchimp or to the
ledger), compare it with the ledger and the database as a Resync would, and store the figures.

The comparison is the Resync's own (``sync/refresh.rebuild`` then the planner), so "differs from the
database" means exactly what the next Resync would write. Services never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from constituent.crm.errors import NotFound
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.credentials import credentials_for
from constituent.integrations.mailchimp.health import repository
from constituent.integrations.mailchimp.health.figures import figures
from constituent.integrations.mailchimp.health.models import HealthCheck
from constituent.integrations.mailchimp.health.schemas import HealthReport
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync import planning, unticks
from constituent.integrations.mailchimp.sync.refresh import confirm_absent, read_audience, rebuild
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.crypto import SecretBox


async def check(session: Session, box: SecretBox, integration_id: int, now: datetime) -> HealthReport:
    integration = get_integration(session, integration_id)
    inputs = planning.whole(session, integration, now.date())
    desired = inputs.desired
    async with MailchimpClient(credentials_for(integration, box)) as client:
        members = await read_audience(client, integration.audience_id)
        absent = [
            h for h, e in inputs.ledger.items() if h not in members and e.status is not RemoteStatus.forgotten
        ]
        gone = await confirm_absent(client, integration.audience_id, absent)
    shape = (desired.owned_tags, desired.managed_interests, desired.merge_field_types)
    updates = rebuild(inputs.ledger, members.values(), gone, *shape)
    view = unticks.with_unticks(session, integration_id, {u.entry.subscriber_hash: u.entry for u in updates})
    plan = planning.make_plan(integration, inputs, view)
    stored = repository.save(session, integration_id, now, figures(members, inputs.ledger, gone, plan))
    return repository.report_of(stored)


def latest_check(session: Session, integration_id: int) -> HealthCheck:
    """The latest check, or NotFound when the audience was never checked."""
    get_integration(session, integration_id)
    found = repository.latest(session, integration_id)
    if found is None:
        raise NotFound("health check of integration", integration_id)
    return found
