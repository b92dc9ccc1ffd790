"""What the pages say about an integration: plain sentences built once, shown on several pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.models import MailchimpIntegration, SyncMode, WebhookState
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import SyncRun
from constituent.kit.settings import Settings

MODE_LABELS = {
    SyncMode.all_individuals: "All individuals",
    SyncMode.groups: "Chosen groups",
}


@dataclass(frozen=True, slots=True)
class LastSync:
    status: str
    finished_at: datetime | None
    summary: str
    message: str


@dataclass(frozen=True, slots=True)
class IntegrationView:
    integration: MailchimpIntegration
    audience_url: str
    webhook: str
    webhook_ok: bool
    mode: str
    last_sync: LastSync | None
    running: bool


def audience_url(integration: MailchimpIntegration, settings: Settings) -> str:
    """Mailchimp's page for the audience; against the emulator (API base overridden), its API URL."""
    if settings.mailchimp_api_base:
        return f"{integration.api_base.rstrip('/')}/lists/{integration.audience_id}"
    web_id = integration.audience_web_id or ""
    return f"https://{integration.dc}.admin.mailchimp.com/lists/members/?id={web_id}"


def webhook_sentence(integration: MailchimpIntegration) -> str:
    if integration.webhook_state == WebhookState.registered:
        return "webhook registered"
    reason = integration.webhook_error or "not yet attempted"
    return f"webhook not registered: {reason}"


def _summary(run: SyncRun) -> str:
    counts = run.counters()
    parts = [f"{counts[name]} {name.replace('_', ' ')}" for name in ("created", "updated", "archived")]
    parts += [f"{counts[name]} {name}" for name in ("refused", "errors") if counts[name]]
    kind = "dry run, " if run.dry_run else ""
    return f"{run.mode.value} ({kind}{run.trigger.value}): " + ", ".join(parts)


def last_sync(run: SyncRun | None) -> LastSync | None:
    if run is None:
        return None
    return LastSync(run.status.value.replace("_", " "), run.finished_at, _summary(run), run.message)


def view_of(session: Session, integration: MailchimpIntegration, settings: Settings) -> IntegrationView:
    latest = runs.latest_for_integration(session, integration.id)
    return IntegrationView(
        integration=integration,
        audience_url=audience_url(integration, settings),
        webhook=webhook_sentence(integration),
        webhook_ok=integration.webhook_state == WebhookState.registered,
        mode=MODE_LABELS[integration.mode],
        last_sync=last_sync(latest),
        running=latest is not None and latest.finished_at is None,
    )
