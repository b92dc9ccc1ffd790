"""The Mailchimp page's merge-field mappings: which contact fields go to extra merge fields, with a small
form to map one (the merge field is created or reused in Mailchimp) and a button to stop sending one."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.merge_fields import service as merge_fields
from constituent.integrations.mailchimp.merge_fields.catalog import FIELDS
from constituent.integrations.mailchimp.merge_fields.schemas import MergeFieldMappingOut
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, AdminDep, SettingsDep
from constituent.web.pages.rendering import flash

router = APIRouter(dependencies=PROTECTED)
FIELDS_PATH = "/integrations/mailchimp/{integration_id:int}/merge-fields"


def merge_field_context(session: Session, integration: MailchimpIntegration) -> dict[str, Any]:
    """What the page's merge-field section shows: the mappings, and the fields still free to map."""
    mapped = [MergeFieldMappingOut.of(m) for m in merge_fields.list_merge_fields(session, integration)]
    taken = {m.field for m in mapped}
    return {
        "merge_fields": mapped,
        "mappable_fields": [(f.name, f.label) for f in FIELDS.values() if f.name not in taken],
    }


def _back(integration_id: DbInt) -> RedirectResponse:
    return RedirectResponse(f"/integrations/mailchimp/{integration_id}/merge-fields", status_code=303)


@router.post(FIELDS_PATH)
def map_field(
    integration_id: DbInt,
    request: Request,
    _user: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    field: Annotated[str, Form(max_length=50)] = "",
    tag: Annotated[str, Form(max_length=50)] = "",
) -> RedirectResponse:
    integration = service.get_integration(session, integration_id)
    try:
        box = SecretBox.from_settings(settings)
        mapping = asyncio.run(merge_fields.map_field(session, box, integration, field, tag))
    except InvalidInput as exc:
        flash(request, "error", f"Not mapped. {exc}")
        return _back(integration_id)
    flash(request, "success", f"{mapping.contact_field} goes to {mapping.tag} from the next sync on.")
    return _back(integration_id)


@router.post(FIELDS_PATH + "/{field}/remove")
def unmap_field(
    integration_id: DbInt, field: str, request: Request, _user: AdminDep, session: SessionDep
) -> RedirectResponse:
    integration = service.get_integration(session, integration_id)
    try:
        merge_fields.unmap_field(session, integration, field)
    except InvalidInput as exc:
        flash(request, "error", str(exc))
        return _back(integration_id)
    flash(request, "success", f"{field} is no longer sent; Mailchimp keeps the merge field and its values.")
    return _back(integration_id)
