"""``constituent contacts add`` and ``add-email``: a person typing in one contact or one address.

Like the page and the REST API, an address another contact already holds is refused (naming that
contact) unless ``--allow-duplicate`` says the person means it; ``cli.context`` words the refusal."""

from __future__ import annotations

import typer

from constituent.cli.context import cli_actor, open_session
from constituent.cli.output import emit_json
from constituent.crm.contacts import service
from constituent.crm.contacts.models import ContactKind
from constituent.crm.contacts.schemas import ContactCreate, ContactOut, EmailAdd, EmailIn, EmailOut

JSON = typer.Option(False, "--json", help="Machine-readable output.")
ALLOW_DUPLICATE = typer.Option(
    False, "--allow-duplicate", help="Add an address even though another contact already holds it."
)


def add(
    first_name: str = typer.Option("", "--first-name", help="Given name."),
    last_name: str = typer.Option("", "--last-name", help="Family name."),
    organization: str = typer.Option("", "--organization", help="Organization name (for an organization)."),
    kind: ContactKind = typer.Option(ContactKind.individual, "--kind", help="individual or organization."),
    email: str | None = typer.Option(None, "--email", help="Primary email address."),
    phone: str = typer.Option("", "--phone", help="Phone number."),
    allow_duplicate: bool = ALLOW_DUPLICATE,
    as_json: bool = JSON,
) -> None:
    """Add one contact (a name or an email for an individual, a name for an organization)."""
    data = ContactCreate(
        kind=kind,
        first_name=first_name,
        last_name=last_name,
        organization_name=organization,
        phone=phone,
        emails=[EmailIn(address=email, is_primary=True)] if email else [],
        allow_duplicate=allow_duplicate,
    )
    with open_session() as session:
        contact = service.create_contact(session, data, cli_actor(), refuse_duplicates=True)
        payload = ContactOut.model_validate(contact).model_dump(mode="json")
    if as_json:
        emit_json(payload)
        return
    typer.echo(f"added {payload['display_name']} (contact {payload['id']})")


def add_email(
    contact_id: int = typer.Argument(..., help="Contact id."),
    address: str = typer.Argument(..., help="The email address to add."),
    primary: bool = typer.Option(False, "--primary", help="Make it the contact's primary address."),
    allow_duplicate: bool = ALLOW_DUPLICATE,
    as_json: bool = JSON,
) -> None:
    """Add an email address to a contact."""
    data = EmailAdd(address=address, is_primary=primary, allow_duplicate=allow_duplicate)
    with open_session() as session:
        row = service.add_email(session, contact_id, data, cli_actor(), refuse_held=not allow_duplicate)
        payload = EmailOut.model_validate(row).model_dump(mode="json")
    if as_json:
        emit_json(payload)
        return
    typer.echo(f"added {payload['address']} to contact {contact_id}")
