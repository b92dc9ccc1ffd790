"""``constituent org``: the organization settings (name, postal address, sender) Mailchimp needs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import typer
from pydantic import ValidationError

from constituent.cli.context import open_session
from constituent.cli.output import emit_json, fail
from constituent.crm.organization.schemas import OrganizationSettingsOut, OrganizationSettingsUpdate
from constituent.crm.organization.service import get_settings, update_settings

app = typer.Typer(help="Organization settings.", no_args_is_help=True)


def _print(settings: OrganizationSettingsOut, as_json: bool) -> None:
    values = settings.model_dump(mode="json")
    if as_json:
        emit_json(values)
        return
    for field, value in values.items():
        typer.echo(f"{field:<22} {value}")


def _validated(changes: dict[str, Any]) -> OrganizationSettingsUpdate:
    try:
        return OrganizationSettingsUpdate.model_validate(changes)
    except ValidationError as exc:
        problems = "; ".join(
            f"--{'-'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}" for e in exc.errors()
        )
        fail(problems, code=2)


@app.command()
def show(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Show the organization settings."""
    with open_session() as session:
        settings = OrganizationSettingsOut.model_validate(get_settings(session))
    _print(settings, as_json)


@app.command("set")
def set_settings(
    organization_name: str | None = typer.Option(None, help="Organization or committee name."),
    street: str | None = typer.Option(None, help="Postal address: street."),
    city: str | None = typer.Option(None),
    state: str | None = typer.Option(None),
    postal_code: str | None = typer.Option(None),
    country: str | None = typer.Option(None, help="Two-letter country code."),
    phone: str | None = typer.Option(None),
    from_name: str | None = typer.Option(None, help="Default sender name for emails."),
    from_email: str | None = typer.Option(None, help="Default sender email."),
    timezone: str | None = typer.Option(None, help="IANA time zone, e.g. Europe/London."),
    major_donor_threshold: Decimal | None = typer.Option(None, help="Total giving that makes a major donor."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Change only the settings given; the others keep their values."""
    given = {
        "organization_name": organization_name,
        "street": street,
        "city": city,
        "state": state,
        "postal_code": postal_code,
        "country": country,
        "phone": phone,
        "from_name": from_name,
        "from_email": from_email,
        "timezone": timezone,
        "major_donor_threshold": major_donor_threshold,
    }
    changes = _validated({field: value for field, value in given.items() if value is not None})
    with open_session() as session:
        settings = OrganizationSettingsOut.model_validate(update_settings(session, changes))
    _print(settings, as_json)
