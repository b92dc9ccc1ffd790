"""What the pages say about an integration: plain sentences built once, shown on several pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.models import MailchimpIntegration, SyncMode, WebhookState
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.integrations.mailchimp.sync.outcome import outcome_words
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


MODE_WORDS = {RunMode.incremental: "changes since the last sync", RunMode.full: "full resync"}
TRIGGER_WORDS = {
    RunTrigger.ui: "started in the app",
    RunTrigger.schedule: "nightly",
    RunTrigger.cli: "started from the command line",
    RunTrigger.api: "started through the API",
    RunTrigger.first_sync: "First sync",
}
COUNT_WORDS = (("created", "added"), ("updated", "updated"), ("archived", "archived"))


def _summary(run: SyncRun) -> str:
    counts = run.counters()
    parts = [f"{counts[name]} {word}" for name, word in COUNT_WORDS]
    parts += [f"{counts[name]} {name}" for name in ("refused", "errors") if counts[name]]
    if run.trigger is RunTrigger.first_sync:
        return f"{TRIGGER_WORDS[run.trigger]}: " + ", ".join(parts)  # its own kind, whoever started it
    kind = ", a preview" if run.dry_run else ""
    return f"{MODE_WORDS[run.mode]}{kind}, {TRIGGER_WORDS[run.trigger]}: " + ", ".join(parts)


# The engine's guard message names the CLI's flag; on a page the confirm button sits right beside it.
GUARD_MESSAGE = (
    "More members would be archived (removed from the audience, history kept) than the removal guard "
    "allows, so nothing was written. See who would be archived, then confirm the removals to go ahead."
)


def last_sync(run: SyncRun | None) -> LastSync | None:
    if run is None:
        return None
    message = GUARD_MESSAGE if run.status is RunStatus.needs_confirmation else run.message
    return LastSync(outcome_words(run.status, run.errors), run.finished_at, _summary(run), message)


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
