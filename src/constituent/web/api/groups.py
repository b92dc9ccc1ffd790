"""Static groups and memberships with history: add, remove (kept as a past group), rejoin, delete past."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from constituent.crm.groups import service
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.groups.schemas import AddResult, GroupOut, MembershipView, MemberView, RemoveResult
from constituent.crm.searches import service as searches
from constituent.integrations.mailchimp import source_deletion
from constituent.integrations.mailchimp.group_refusals import MailchimpRefusal, refusals_for_group
from constituent.kit.clock import today
from constituent.kit.numbers import DbInt
from constituent.web.api.pagination import Page, PageDep
from constituent.web.deps import PrincipalDep, SessionDep

router = APIRouter(tags=["groups"])

# Changes made through this API are labelled "by API" in a contact's group history.
METHOD = MembershipMethod.api


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    description: str = ""


class GroupRename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)


class ContactIds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_ids: list[DbInt] = Field(min_length=1)


class FromSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    search_id: DbInt


class RemoveRequest(ContactIds):
    reason: str = Field(default="", max_length=200)


def _group_out(session: Session, group_id: DbInt) -> GroupOut:
    # The listing carries member counts; reusing it keeps one definition of a group's JSON.
    return next(g for g in service.list_groups(session) if g.id == group_id)


@router.get("/groups", response_model=Page[GroupOut])
def list_groups(session: SessionDep, page: PageDep) -> Page[GroupOut]:
    # Groups number in the dozens, not millions: paging the full list in memory is simplest.
    groups = service.list_groups(session)
    return page.page(groups[page.offset : page.offset + page.limit], len(groups))


@router.post("/groups", status_code=status.HTTP_201_CREATED, response_model=GroupOut)
def create_group(data: GroupCreate, session: SessionDep, principal: PrincipalDep) -> GroupOut:
    group = service.create_group(session, data.name, data.description, actor=principal.actor)
    return GroupOut.model_validate(group)


@router.get("/groups/{group_id}", response_model=GroupOut)
def get_group(group_id: DbInt, session: SessionDep) -> GroupOut:
    return _group_out(session, service.get_group(session, group_id).id)


@router.patch("/groups/{group_id}", response_model=GroupOut)
def rename_group(
    group_id: DbInt, data: GroupRename, session: SessionDep, principal: PrincipalDep
) -> GroupOut:
    service.rename_group(session, group_id, data.name, actor=principal.actor)
    return _group_out(session, group_id)


@router.delete("/groups/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_group(
    group_id: DbInt, session: SessionDep, principal: PrincipalDep, leave_tags_on_members: bool = False
) -> None:
    """Delete a group. One that decides a Mailchimp audience's membership or is an interest is refused
    (409, saying how many members would be archived) until it is unmapped; its tag is taken off the
    members at the next sync unless ``leave_tags_on_members``."""
    source_deletion.delete_group(
        session, group_id, actor=principal.actor, leave_tags_on_members=leave_tags_on_members
    )


@router.get("/groups/{group_id}/members", response_model=Page[MemberView])
def list_members(group_id: DbInt, session: SessionDep, page: PageDep) -> Page[MemberView]:
    members, total = service.group_members(session, group_id, limit=page.limit, offset=page.offset)
    return page.page(members, total)


class GroupAddOut(AddResult):
    # The contacts are in the group all the same; these are the audiences that will not take them back.
    mailchimp_refusals: list[MailchimpRefusal] = Field(default_factory=list)


@router.post("/groups/{group_id}/members", response_model=GroupAddOut)
def add_members(
    group_id: DbInt, data: ContactIds, session: SessionDep, principal: PrincipalDep
) -> GroupAddOut:
    result = service.add_to_group(session, group_id, data.contact_ids, method=METHOD, actor=principal.actor)
    refusals = refusals_for_group(session, group_id, result.added + result.already_members)
    return GroupAddOut(**result.model_dump(), mailchimp_refusals=refusals)


@router.post("/groups/{group_id}/members/from-search", response_model=GroupAddOut)
def add_search_results(
    group_id: DbInt, data: FromSearch, session: SessionDep, principal: PrincipalDep
) -> GroupAddOut:
    """Everyone the saved search finds today joins the group, in one set-based call."""
    found = searches.run_search(session, data.search_id, today()).contact_ids
    result = service.add_to_group(session, group_id, found, method=METHOD, actor=principal.actor)
    refusals = refusals_for_group(session, group_id, result.added + result.already_members)
    return GroupAddOut(**result.model_dump(), mailchimp_refusals=refusals)


@router.post("/groups/{group_id}/members/remove", response_model=RemoveResult)
def remove_members(
    group_id: DbInt, data: RemoveRequest, session: SessionDep, principal: PrincipalDep
) -> RemoveResult:
    return service.remove_from_group(
        session, group_id, data.contact_ids, method=METHOD, actor=principal.actor, reason=data.reason
    )


@router.delete("/groups/{group_id}/members/{contact_id}", response_model=RemoveResult)
def remove_member(
    group_id: DbInt, contact_id: DbInt, session: SessionDep, principal: PrincipalDep
) -> RemoveResult:
    return service.remove_from_group(session, group_id, [contact_id], method=METHOD, actor=principal.actor)


class RejoinOut(MembershipView):
    # The contact is back in the group all the same; these audiences will not take the person back.
    mailchimp_refusals: list[MailchimpRefusal] = Field(default_factory=list)


@router.post(
    "/memberships/{membership_id}/rejoin", status_code=status.HTTP_201_CREATED, response_model=RejoinOut
)
def rejoin(membership_id: DbInt, session: SessionDep, principal: PrincipalDep) -> RejoinOut:
    membership = service.rejoin_group(session, membership_id, method=METHOD, actor=principal.actor)
    view = next(
        view
        for view in service.contact_groups(session, membership.contact_id).current
        if view.membership_id == membership.id
    )
    refusals = refusals_for_group(session, membership.group_id, [membership.contact_id])
    return RejoinOut(**view.model_dump(), mailchimp_refusals=refusals)


@router.delete("/memberships/{membership_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_past_membership(membership_id: DbInt, session: SessionDep, principal: PrincipalDep) -> None:
    service.delete_past_membership(session, membership_id, principal.actor)
