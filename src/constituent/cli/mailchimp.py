"""``constituent mailchimp``: connect an audience, see integrations, remove one."""

from __future__ import annotations

import asyncio
import os
import sys

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from constituent.cli.context import open_session
from constituent.cli.mailchimp_inbound import campaigns_app
from constituent.cli.output import emit_json, fail
from constituent.crm.organization.service import get_settings as get_org_settings
from constituent.integrations.mailchimp import repository, service
from constituent.integrations.mailchimp.audience_defaults import audience_defaults, with_defaults
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.connecting import connect_and_register
from constituent.integrations.mailchimp.credentials import api_base_for_key
from constituent.integrations.mailchimp.models import (
    InitialSync,
    MailchimpIntegration,
    SourceTarget,
    SyncMode,
)
from constituent.integrations.mailchimp.schemas import (
    ConnectRequest,
    IntegrationOut,
)
from constituent.kit.crypto import SecretBox
from constituent.kit.settings import get_settings

app = typer.Typer(help="The Mailchimp integration.", no_args_is_help=True)


API_KEY_ENV = "CONSTITUENT_MAILCHIMP_API_KEY"
_SAFE_WAYS = f"set {API_KEY_ENV} or pipe it to --api-key-stdin"


def _read_key(api_key: str | None, api_key_stdin: bool) -> str:
    if api_key is not None:
        # Refused even though it is too late for this key: scripts get fixed instead of leaking the next.
        fail(
            "--api-key is not accepted: a key on the command line is shown to every user of this machine "
            f"in the process list (ps). Give the key another way: {_SAFE_WAYS}.",
            2,
        )
    if api_key_stdin:
        return sys.stdin.readline().strip()
    from_env = os.environ.get(API_KEY_ENV, "").strip()
    if from_env:
        return from_env
    fail(f"no API key: {_SAFE_WAYS}")


@app.command()
def connect(
    api_key: str | None = typer.Option(None, hidden=True),  # refused: see _read_key
    api_key_stdin: bool = typer.Option(
        False, help=f"Read the API key (…-usN) from standard input instead of {API_KEY_ENV}."
    ),
    name: str = typer.Option("Mailchimp", help="A name for this integration."),
    audience_id: str | None = typer.Option(None, help="Use this existing audience."),
    audience_name: str | None = typer.Option(None, help="Use the audience with this name, or create it."),
    mode: SyncMode = typer.Option(
        SyncMode.all_individuals, help="all: every eligible individual; groups: chosen groups."
    ),
    groups: str = typer.Option("", help='Groups feeding the audience in groups mode, ";"-separated.'),
    initial: InitialSync = typer.Option(
        InitialSync.everyone, help="Sync everyone now, or only contacts added from now on."
    ),
    double_optin: bool = typer.Option(False, help="New members must confirm by email (status pending)."),
    nightly_time: str = typer.Option("02:00", help="Local time of the nightly sync (HH:MM)."),
    company: str | None = typer.Option(None, help="Audience contact: organization name [org settings]."),
    address1: str | None = typer.Option(None, help="Audience contact: street [org settings]."),
    city: str | None = typer.Option(None, help="Audience contact: city [org settings]."),
    state: str | None = typer.Option(None, help="Audience contact: state [org settings]."),
    zip: str | None = typer.Option(None, help="Audience contact: postal code [org settings]."),
    country: str | None = typer.Option(None, help="Audience contact: 2-letter country [org settings]."),
    permission_reminder: str = typer.Option(
        "", help="Why people receive your emails (shown in every email) [names the organization]."
    ),
    from_name: str | None = typer.Option(None, help="Campaign default from name [org settings]."),
    from_email: str | None = typer.Option(None, help="Campaign default from email [org settings]."),
    subject: str | None = typer.Option(None, help='Campaign default subject ["News from <from name>"].'),
    language: str = typer.Option("en", help="Campaign default language."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Connect a Mailchimp account with an API key: pick or create the audience, register the webhook.

    The key is read from CONSTITUENT_MAILCHIMP_API_KEY or, with --api-key-stdin, from standard input,
    never from the command line (other users of the machine see command lines in ps).
    """
    settings = get_settings()
    key = _read_key(api_key, api_key_stdin)
    box = SecretBox.from_settings(settings)
    try:
        credentials = Credentials("api_key", key, api_base_for_key(settings, key))
    except ValueError as exc:
        fail(f"api_key: {exc}")
    with open_session() as session:
        org = get_org_settings(session)
        chosen = audience_defaults(org).given(
            company=company,
            address1=address1,
            city=city,
            state=state,
            zip=zip,
            country=country,
            from_name=from_name,
            from_email=from_email,
            subject=subject,
            language=language,
        )
        try:
            request = ConnectRequest(
                name=name,
                audience_id=audience_id,
                audience_name=audience_name,
                mode=mode,
                groups=[g.strip() for g in groups.split(";") if g.strip()],
                initial_sync=initial,
                double_optin=double_optin,
                nightly_time=nightly_time,
                permission_reminder=permission_reminder,
                # Left out when incomplete: only creating a new audience needs them, and says so.
                contact=chosen.contact(),
                campaign_defaults=chosen.campaign_defaults(),
            )
        except ValidationError as exc:
            fail(_first_error(exc))
        request = with_defaults(request, org)
        integration = asyncio.run(connect_and_register(session, box, request, credentials, settings.base_url))
        _print_connected(integration, as_json)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"


def _print_connected(integration: MailchimpIntegration, as_json: bool) -> None:
    payload = {
        "integration_id": integration.id,
        "audience_id": integration.audience_id,
        "audience_name": integration.audience_name,
        "audience_created": integration.audience_created_by_us,
        "webhook_id": integration.webhook_id,
        "webhook_state": integration.webhook_state.value,
        "webhook_error": integration.webhook_error,
    }
    if as_json:
        emit_json(payload)
        return
    audience = f"{integration.audience_name!r} ({integration.audience_id})"
    typer.echo(f"Connected integration {integration.id} to audience {audience}.")
    if integration.webhook_id:
        typer.echo(f"Webhook registered ({integration.webhook_id}).")
    else:
        typer.echo(f"Webhook not registered: {integration.webhook_error} (reconciliation covers the gap).")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the Mailchimp integrations with their audience and webhook state."""
    with open_session() as session:
        rows = [IntegrationOut.of(i) for i in repository.list_all(session)]
    if as_json:
        emit_json({"integrations": [r.model_dump(mode="json") for r in rows]})
        return
    if not rows:
        typer.echo("No Mailchimp integration yet: `constituent mailchimp connect --api-key-stdin`.")
    for row in rows:
        webhook = row.webhook_id or f"not registered ({row.webhook_error})"
        audience = f"{row.audience_name!r} ({row.audience_id})"
        typer.echo(f"{row.id}  {row.name}: audience {audience}, mode {row.mode.value}, webhook {webhook}")


@app.command()
def remove(
    integration_id: int = typer.Argument(..., help="Integration id (see `mailchimp status`)."),
) -> None:
    """Remove an integration: deletes our webhook in Mailchimp and the stored token; keeps the audience."""
    box = SecretBox.from_settings(get_settings())
    with open_session() as session:
        message = asyncio.run(service.remove(session, box, integration_id))
    typer.echo(message)


@app.command()
def sync(
    integration: int | None = typer.Option(None, "--integration", help="Only this integration [all]."),
    full: bool = typer.Option(False, "--full", help="Full resync: re-read the audience, then compare all."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; write nothing."),
    confirm_removals: bool = typer.Option(
        False, "--confirm-removals", help="Go ahead although more members would be archived than allowed."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Bring Mailchimp in step with the database (waits for a sync already running to end).

    On an integration never synced this starts its first sync (the nightly sync only begins after it).
    Prints "cancelled: the integration was removed" (exit 1) when it is removed during the run."""
    from constituent.cli.mailchimp_sync import sync_integrations

    sync_integrations(
        integration, full=full, dry_run=dry_run, confirm_removals=confirm_removals, as_json=as_json
    )


@app.command("mappings")
def list_mappings(
    integration_id: int = typer.Argument(..., help="Integration id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show which saved searches and groups become tags, interests or audience membership, and which
    contact fields go to extra merge fields."""
    from constituent.cli.mailchimp_mappings import show_mappings

    show_mappings(integration_id, as_json)


@app.command("map-search")
def map_search(
    integration_id: int = typer.Argument(..., help="Integration id."),
    search_id: int = typer.Argument(..., help="Saved search (or quick list) id."),
    target: SourceTarget = typer.Option(
        SourceTarget.tag, "--as", help="tag, interest (created in Mailchimp), or membership (groups mode)."
    ),
    off: bool = typer.Option(False, "--off", help="Stop syncing this search as a tag."),
    name: str | None = typer.Option(None, "--name", help="Tag name in Mailchimp [the search's name]."),
    leave_on_members: bool = typer.Option(
        False, "--leave-on-members", help="With --off: leave the tag on the members instead of removing it."
    ),
) -> None:
    """Switch a saved search's tag on or off, or rename it (every saved search is a tag by default); or
    map the search (smart group) as an interest or as membership.

    Switched off or renamed, the old tag is removed from the members we put it on at the next sync.
    """
    from constituent.cli.mailchimp_mappings import map_search as run
    from constituent.cli.mailchimp_mappings import map_search_as

    if target != SourceTarget.tag:
        map_search_as(integration_id, search_id, target, name)
        return
    run(integration_id, search_id, not off, name, leave_on_members)


@app.command("map-group")
def map_group(
    integration_id: int = typer.Argument(..., help="Integration id."),
    group_id: int = typer.Argument(..., help="Group id."),
    target: SourceTarget = typer.Option(..., "--as", help="tag, interest, or membership (groups mode)."),
    name: str | None = typer.Option(
        None, "--name", help="Tag or interest name in Mailchimp [the group's name]."
    ),
) -> None:
    """Map a group as a tag, an interest (created in Mailchimp) or a membership source."""
    from constituent.cli.mailchimp_mappings import map_group as run

    run(integration_id, group_id, target, name)


@app.command("unmap-group")
def unmap_group(
    integration_id: int = typer.Argument(..., help="Integration id."),
    group_id: int = typer.Argument(..., help="Group id."),
    target: SourceTarget = typer.Option(..., "--as", help="tag, interest, or membership."),
    leave_on_members: bool = typer.Option(
        False, "--leave-on-members", help="A tag: leave it on the members instead of removing it."
    ),
) -> None:
    """Stop mapping a group. Its tag is removed from the members we put it on at the next sync (unless
    --leave-on-members); interests stay in Mailchimp."""
    from constituent.cli.mailchimp_mappings import unmap_group as run

    run(integration_id, group_id, target, leave_on_members)


@app.command("map-field")
def map_field(
    field: str = typer.Argument(
        ...,
        help="Contact field: external_id, organization_name, city, state, postal_code, country, source, "
        "created_at (a date).",
    ),
    tag: str = typer.Argument(..., help="Merge tag in Mailchimp: up to 10 letters, digits or _."),
    integration_id: int | None = typer.Option(
        None, "--integration", help="Integration id (needed when there are several)."
    ),
) -> None:
    """Send a contact field to a merge field (created in Mailchimp, or reused when its type fits)."""
    from constituent.cli.mailchimp_mappings import map_field as run

    run(integration_id, field, tag)


@app.command("unmap-field")
def unmap_field(
    field: str = typer.Argument(..., help="The mapped contact field."),
    integration_id: int | None = typer.Option(
        None, "--integration", help="Integration id (needed when there are several)."
    ),
) -> None:
    """Stop sending a contact field (the merge field and its values stay in Mailchimp)."""
    from constituent.cli.mailchimp_mappings import unmap_field as run

    run(integration_id, field)


@app.command("tag-prefix")
def tag_prefix(
    integration_id: int = typer.Argument(..., help="Integration id."),
    prefix: str = typer.Argument(..., help='Put before every tag we create, e.g. "CRM: " ("" for none).'),
) -> None:
    """Set the prefix of every tag this integration creates."""
    from constituent.cli.mailchimp_mappings import set_prefix

    set_prefix(integration_id, prefix)


@app.command()
def settings(
    integration_id: int = typer.Argument(..., help="Integration id."),
    name: str | None = typer.Option(None, help="Rename the integration (1-200 characters)."),
    nightly_time: str | None = typer.Option(
        None, help="Nightly sync time, HH:MM 24-hour, in the organization's time zone."
    ),
    double_optin: bool | None = typer.Option(
        None,
        "--double-optin/--no-double-optin",
        help="Members the sync adds from now on must confirm by email; existing members keep their status.",
    ),
    accept_profile_changes: bool | None = typer.Option(
        None,
        "--accept-profile-changes/--no-accept-profile-changes",
        help="Apply name edits members make in Mailchimp to their contact (off: only noted).",
    ),
    interests_follow_members: bool | None = typer.Option(
        None,
        "--interests-follow-members/--no-interests-follow-members",
        help="A member unticking (ticking) an interest in Mailchimp leaves (joins) its group "
        "(off: only noted; either way no sync ticks it again).",
    ),
    removal_guard: int | None = typer.Option(
        None, metavar="PERCENT", help="Stop a sync that would archive more than PERCENT of members (1-100)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show an integration's settings, or change the ones given (exit 2 on a bad value)."""
    from constituent.cli.mailchimp_settings import run_settings

    given = {
        "name": name,
        "nightly_time": nightly_time,
        "double_optin": double_optin,
        "accept_profile_changes": accept_profile_changes,
        "interests_follow_members": interests_follow_members,
        "removal_guard_percent": removal_guard,
    }
    run_settings(integration_id, given, as_json)


@app.command()
def reconfirm(
    contact_id: int = typer.Argument(..., help="The contact Mailchimp holds as unsubscribed."),
    integration: int | None = typer.Option(
        None, "--integration", help="Integration id (default: the only one; needed when there are several)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Ask Mailchimp to re-confirm a contact who unsubscribed: their member becomes pending and Mailchimp
    emails them a confirmation link. Never done automatically."""
    from constituent.integrations.mailchimp.inbound.reconfirm import reconfirm_contact

    box = SecretBox.from_settings(get_settings())
    with open_session() as session:
        integration_id = integration if integration is not None else _only_integration(session)
        result = asyncio.run(reconfirm_contact(session, box, integration_id, contact_id))
    if as_json:
        emit_json(result.model_dump(mode="json"))
    else:
        typer.echo(result.message)


def _only_integration(session: Session) -> int:
    ids = [i.id for i in repository.list_all(session)]
    if len(ids) != 1:
        fail(f"there are {len(ids)} integrations; choose one with --integration ID", code=2)
    return ids[0]


@app.command()
def reconcile(
    integration: int | None = typer.Option(None, "--integration", help="Only this integration [all]."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Read members changed in Mailchimp since the last pass and apply what the webhooks would have
    (unsubscribes, bounces, signups); running it again changes nothing."""
    from constituent.cli.mailchimp_inbound import run_reconcile

    run_reconcile(integration, as_json)


@app.command()
def doctor(
    integration_id: int | None = typer.Argument(None, help="Integration id (default: every one)."),
    fix: bool = typer.Option(
        False,
        "--fix",
        help="Apply the safe fixes (recreate missing merge fields and interests, "
        "re-register the webhook, record a renamed audience), then check again.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Check an integration end to end: credentials, audience, merge fields, interests, webhook (and
    that Mailchimp reaches it), the queue and worker, the nightly schedule, the last sync. Each failed
    check prints its fix in one line. Exit 0 only when every check passes."""
    from constituent.cli.mailchimp_doctor import run_doctor

    run_doctor(integration_id, fix=fix, as_json=as_json)


@app.command()
def health(
    integration_id: int = typer.Argument(..., help="Integration id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Read the whole audience (nothing is written) and say how far it has drifted from the database:
    members by status, members no contact owns, archived by hand, deleted there, differing from the
    database, refused; each with what the next sync does about it."""
    from constituent.cli.mailchimp_health import run_health

    run_health(integration_id, as_json)


app.add_typer(campaigns_app, name="campaigns")
