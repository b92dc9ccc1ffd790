"""/api/v1/integrations/mailchimp: list, connect (API key or OAuth), show, change settings, remove."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from constituent.crm.errors import InvalidInput
from constituent.crm.organization.service import get_settings as get_org_settings
from constituent.integrations.mailchimp import mappings, oauth, repository, service
from constituent.integrations.mailchimp.audience_defaults import with_defaults
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.connecting import connect_and_register
from constituent.integrations.mailchimp.credentials import api_base_for_key
from constituent.integrations.mailchimp.merge_fields import service as merge_fields
from constituent.integrations.mailchimp.merge_fields.schemas import MergeFieldMappingIn, MergeFieldMappingOut
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.integrations.mailchimp.schemas import ConnectRequest, IntegrationOut, SettingsChange
from constituent.integrations.mailchimp.settings import update_settings
from constituent.integrations.mailchimp.sync.models import RunTrigger
from constituent.kit.clock import today, utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.kit.settings import Settings
from constituent.web import first_sync
from constituent.web.deps import AdminDep, SessionDep

router = APIRouter(prefix="/integrations/mailchimp", tags=["mailchimp"])


class ConnectBody(ConnectRequest):
    auth: Literal["api_key", "oauth"] = Field(
        default="api_key", description="api_key connects at once; oauth answers with the Mailchimp login URL."
    )


class OAuthStarted(BaseModel):
    authorize_url: str


class Removed(BaseModel):
    detail: str


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("", response_model=list[IntegrationOut])
def list_integrations(session: SessionDep) -> list[IntegrationOut]:
    return [IntegrationOut.of(i) for i in repository.list_all(session)]


@router.get("/{integration_id}", response_model=IntegrationOut)
def get_integration(integration_id: DbInt, session: SessionDep) -> IntegrationOut:
    return IntegrationOut.of(service.get_integration(session, integration_id))


@router.patch("/{integration_id}", response_model=IntegrationOut)
def change_settings(
    integration_id: DbInt, body: SettingsChange, session: SessionDep, _admin: AdminDep
) -> IntegrationOut:
    """Change the options left in the body; double_optin only applies to members added from now on."""
    return IntegrationOut.of(update_settings(session, integration_id, body))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IntegrationOut,
    responses={202: {"model": OAuthStarted, "description": "Send the person to authorize_url."}},
)
def connect(
    body: ConnectBody, request: Request, session: SessionDep, admin: AdminDep
) -> IntegrationOut | JSONResponse:
    """Connect an audience; this endpoint is the boundary and commits between the two steps."""
    settings = _settings(request)
    given = ConnectRequest.model_validate(body.model_dump(exclude={"auth"}))
    request_data = with_defaults(given, get_org_settings(session))
    if body.auth == "oauth":
        url = oauth.start(session, settings, admin.user_id, request_data, utcnow())
        return JSONResponse(status_code=202, content=OAuthStarted(authorize_url=url).model_dump())
    if not body.api_key:
        raise InvalidInput("api_key", "an API key is needed (or use auth=oauth)")
    try:
        credentials = Credentials("api_key", body.api_key, api_base_for_key(settings, body.api_key))
    except ValueError as exc:
        raise InvalidInput("api_key", str(exc)) from exc
    box = SecretBox.from_settings(settings)
    integration = asyncio.run(
        connect_and_register(session, box, request_data, credentials, settings.base_url)
    )
    answer = IntegrationOut.of(integration)
    session.commit()  # the first sync (its own boundary) must find the integration, and no lock held
    first_sync.start_if_asked(request.app.state.database, settings, integration.id, given, RunTrigger.api)
    return answer


@router.delete("/{integration_id}", response_model=Removed)
def remove_integration(
    integration_id: DbInt, request: Request, session: SessionDep, _admin: AdminDep
) -> Removed:
    box = SecretBox.from_settings(_settings(request))
    return Removed(detail=asyncio.run(service.remove(session, box, integration_id)))


class MappingOut(BaseModel):
    kind: str
    source_id: int
    source_name: str
    target: str
    remote_name: str
    enabled: bool
    interest_id: str | None = None
    left_on_members: bool = False


class SearchTagIn(BaseModel):
    target: SourceTarget = Field(
        default=SourceTarget.tag,
        description="tag (every search is one unless switched off), interest, or membership (groups mode)",
    )
    enabled: bool = True
    name: str | None = Field(
        default=None, description="Tag or interest name in Mailchimp [the search's name]"
    )
    leave_on_members: bool = Field(
        default=False,
        description="Switching the tag off: leave it on the members we put it on instead of removing it",
    )


class GroupMappingIn(BaseModel):
    target: SourceTarget
    name: str | None = Field(default=None, description="Tag or interest name in Mailchimp [the group's name]")


class TagPrefixIn(BaseModel):
    prefix: str = Field(max_length=50)


@router.get("/{integration_id}/mappings", response_model=list[MappingOut])
def list_mappings(integration_id: DbInt, session: SessionDep) -> list[MappingOut]:
    """Every saved search (a tag unless switched off) and every mapped group."""
    rows = mappings.list_mappings(session, service.get_integration(session, integration_id), today())
    return [MappingOut(**asdict(row)) for row in rows]


@router.put("/{integration_id}/mappings/searches/{search_id}", response_model=list[MappingOut])
def set_search_tag(
    integration_id: DbInt,
    search_id: DbInt,
    body: SearchTagIn,
    request: Request,
    session: SessionDep,
    _admin: AdminDep,
) -> list[MappingOut]:
    """A saved search's tag (on, off, renamed), or the search as an interest or a membership source."""
    integration = service.get_integration(session, integration_id)
    if body.target != SourceTarget.tag:
        box = SecretBox.from_settings(_settings(request))
        asyncio.run(mappings.map_search(session, box, integration, search_id, body.target, body.name))
        return list_mappings(integration_id, session)
    mappings.set_search_tag(
        session,
        integration,
        search_id,
        enabled=body.enabled,
        name=body.name,
        leave_on_members=body.leave_on_members,
    )
    return list_mappings(integration_id, session)


@router.delete("/{integration_id}/mappings/searches/{search_id}", response_model=list[MappingOut])
def unmap_search(
    integration_id: DbInt, search_id: DbInt, target: SourceTarget, session: SessionDep, _admin: AdminDep
) -> list[MappingOut]:
    """Stop a saved search deciding membership or being an interest."""
    mappings.unmap_search(session, service.get_integration(session, integration_id), search_id, target)
    return list_mappings(integration_id, session)


@router.put("/{integration_id}/mappings/groups/{group_id}", response_model=list[MappingOut])
def map_group(
    integration_id: DbInt,
    group_id: DbInt,
    body: GroupMappingIn,
    request: Request,
    session: SessionDep,
    _admin: AdminDep,
) -> list[MappingOut]:
    """Map a group as a tag, an interest (created in Mailchimp) or a membership source."""
    box = SecretBox.from_settings(_settings(request))
    integration = service.get_integration(session, integration_id)
    asyncio.run(mappings.map_group(session, box, integration, group_id, body.target, body.name))
    return list_mappings(integration_id, session)


@router.delete("/{integration_id}/mappings/groups/{group_id}", response_model=list[MappingOut])
def unmap_group(
    integration_id: DbInt,
    group_id: DbInt,
    target: SourceTarget,
    session: SessionDep,
    _admin: AdminDep,
    leave_on_members: bool = False,
) -> list[MappingOut]:
    """Stop mapping a group; a tag is removed from the members we put it on unless ``leave_on_members``."""
    integration = service.get_integration(session, integration_id)
    mappings.unmap_group(session, integration, group_id, target, leave_on_members=leave_on_members)
    return list_mappings(integration_id, session)


@router.get("/{integration_id}/mappings/merge-fields", response_model=list[MergeFieldMappingOut])
def list_merge_fields(integration_id: DbInt, session: SessionDep) -> list[MergeFieldMappingOut]:
    """Contact fields sent to extra merge fields (besides FNAME, LNAME, ADDRESS and PHONE)."""
    integration = service.get_integration(session, integration_id)
    return [MergeFieldMappingOut.of(m) for m in merge_fields.list_merge_fields(session, integration)]


@router.put("/{integration_id}/mappings/merge-fields/{field}", response_model=list[MergeFieldMappingOut])
def map_merge_field(
    integration_id: DbInt,
    field: str,
    body: MergeFieldMappingIn,
    request: Request,
    session: SessionDep,
    _admin: AdminDep,
) -> list[MergeFieldMappingOut]:
    """Send a contact field to a merge field (created in Mailchimp, or reused when its type fits)."""
    box = SecretBox.from_settings(_settings(request))
    integration = service.get_integration(session, integration_id)
    asyncio.run(merge_fields.map_field(session, box, integration, field, body.tag))
    return list_merge_fields(integration_id, session)


@router.delete("/{integration_id}/mappings/merge-fields/{field}", response_model=list[MergeFieldMappingOut])
def unmap_merge_field(
    integration_id: DbInt, field: str, session: SessionDep, _admin: AdminDep
) -> list[MergeFieldMappingOut]:
    """Stop sending the field; the merge field and its values stay in Mailchimp."""
    merge_fields.unmap_field(session, service.get_integration(session, integration_id), field)
    return list_merge_fields(integration_id, session)


@router.put("/{integration_id}/tag-prefix", response_model=IntegrationOut)
def set_tag_prefix(
    integration_id: DbInt, body: TagPrefixIn, session: SessionDep, _admin: AdminDep
) -> IntegrationOut:
    integration = service.get_integration(session, integration_id)
    mappings.set_tag_prefix(session, integration, body.prefix)
    return IntegrationOut.of(integration)
