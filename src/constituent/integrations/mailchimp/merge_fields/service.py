"""Mapping a contact field onto a merge field: create (or reuse) the field in Mailchimp, remember the tag.

Unmapping only forgets the mapping: the merge field and the values members hold stay in Mailchimp,
because people may have built segments or templates on them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.credentials import credentials_for
from constituent.integrations.mailchimp.merge_fields import repository
from constituent.integrations.mailchimp.merge_fields.catalog import (
    FIELDS,
    ContactField,
    MappedField,
    checked_tag,
    contact_field,
)
from constituent.integrations.mailchimp.merge_fields.models import MergeFieldMapping
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.responses import MergeField, MergeFieldsPage
from constituent.kit.crypto import SecretBox


def list_merge_fields(session: Session, integration: MailchimpIntegration) -> list[MergeFieldMapping]:
    return repository.list_for(session, integration.id)


def mapped_fields(session: Session, integration_id: int) -> tuple[MappedField, ...]:
    """The mappings as the sync reads them (a field dropped from the allow-list is skipped)."""
    rows = repository.list_for(session, integration_id)
    return tuple(
        MappedField(row.tag, FIELDS[row.contact_field]) for row in rows if row.contact_field in FIELDS
    )


async def map_field(
    session: Session, box: SecretBox, integration: MailchimpIntegration, field_name: str, tag: str
) -> MergeFieldMapping:
    """Send ``field_name`` to the merge field ``tag`` from the next sync on (idempotent for the same pair)."""
    field, tag = contact_field(field_name), checked_tag(tag)
    existing = repository.find(session, integration.id, field=field.name)
    if existing is not None:
        if existing.tag == tag:
            return existing
        raise InvalidInput("field", f"{field.name} is already mapped to {existing.tag}; unmap it first")
    taken = repository.find(session, integration.id, tag=tag)
    if taken is not None:
        raise InvalidInput("tag", f"{tag} already carries {taken.contact_field}; choose another tag")
    async with MailchimpClient(credentials_for(integration, box)) as client:
        remote = await ensure_merge_field(client, integration.audience_id, field, tag)
    mapping = MergeFieldMapping(
        integration_id=integration.id,
        contact_field=field.name,
        tag=tag,
        merge_id=remote.merge_id,
        type=remote.type,
    )
    return repository.add(session, mapping)


def unmap_field(session: Session, integration: MailchimpIntegration, field_name: str) -> None:
    field = contact_field(field_name)
    mapping = repository.find(session, integration.id, field=field.name)
    if mapping is None:
        raise InvalidInput("field", f"{field.name} is not mapped to a merge field")
    repository.delete(session, mapping)


async def ensure_merge_field(
    client: MailchimpClient, audience_id: str, field: ContactField, tag: str
) -> MergeField:
    """The audience's merge field ``tag``: reused when its type fits, created when missing."""
    path = f"/lists/{audience_id}/merge-fields"
    fields = "merge_fields.merge_id,merge_fields.tag,merge_fields.name,merge_fields.type"
    for remote in await client.collect(path, MergeFieldsPage, fields=fields):
        if remote.tag.upper() != tag:
            continue
        if remote.type not in field.accepts:
            raise InvalidInput(
                "tag",
                f"the audience already has a {remote.type} merge field {tag}; {field.name} needs "
                f"{' or '.join(sorted(field.accepts))} (choose another tag)",
            )
        return remote
    body = {"tag": tag, "name": field.label, "type": field.mc_type, "required": False, "public": False}
    return await client.send_model("POST", path, MergeField, body, idempotent=False)
