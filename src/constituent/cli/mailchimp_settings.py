"""What `constituent mailchimp settings` does: show an integration's options, or change the ones given."""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError

from constituent.cli.context import open_session
from constituent.cli.output import emit_json, fail
from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.schemas import SettingsChange
from constituent.integrations.mailchimp.settings import checked, update_settings

FIELDS = (
    "name",
    "nightly_time",
    "double_optin",
    "accept_profile_changes",
    "interests_follow_members",
    "removal_guard_percent",
)
_LABELS = {
    "name": "Name",
    "nightly_time": "Nightly sync (organization time zone)",
    "double_optin": "Double opt-in (members added from now on)",
    "accept_profile_changes": "Apply profile changes made in Mailchimp",
    "interests_follow_members": "Groups follow interests members change in Mailchimp",
    "removal_guard_percent": "Removal guard (percent of members)",
}


def current(integration: MailchimpIntegration) -> dict[str, Any]:
    return {"id": integration.id, **{field: getattr(integration, field) for field in FIELDS}}


def _show(values: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(values)
        return
    for field in FIELDS:
        value = values[field]
        shown = ("on" if value else "off") if isinstance(value, bool) else str(value)
        typer.echo(f"{_LABELS[field]}: {shown}")


def run_settings(integration_id: int, given: dict[str, Any], as_json: bool) -> None:
    """With no option given, print the settings; otherwise change them and print the result.
    A bad value exits 2 naming the option."""
    changes = {field: value for field, value in given.items() if value is not None}
    try:
        change = SettingsChange(**changes)
        checked(change)  # before the session, whose error report would exit 1
    except InvalidInput as exc:
        fail(str(exc), code=2)
    except ValidationError as exc:
        error = exc.errors()[0]
        fail(f"{error['loc'][0]}: {error['msg']}", code=2)
    with open_session() as session:
        integration = (
            update_settings(session, integration_id, change)
            if changes
            else service.get_integration(session, integration_id)
        )
        values = current(integration)
    _show(values, as_json)
