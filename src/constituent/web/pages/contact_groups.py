"""The Groups tab of a contact: current groups (Remove), smart groups it matches, past groups (Rejoin,
Delete), and "Add to group", which says so when Mailchimp will not take the person back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from constituent.crm.contacts.service import get_contact
from constituent.crm.errors import InvalidInput
from constituent.crm.groups import service
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.groups.schemas import MembershipView
from constituent.crm.searches.service import matching_searches_for_contact
from constituent.integrations.mailchimp.group_refusals import refusals_for_group
from constituent.kit.clock import today
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.contact_pages import CONTACT, contact_url, render_tab
from constituent.web.pages.deps import PROTECTED, UserDep
from constituent.web.pages.rendering import flash

router = APIRouter(dependencies=PROTECTED)
# Changes made in the browser are labelled "by User" in a contact's group history.
METHOD = MembershipMethod.user


def flash_refusals(request: Request, session: Session, group_id: DbInt, contact_ids: list[int]) -> None:
    """The contacts are in the group all the same; Mailchimp's refusal is said now, not at the next sync."""
    for refusal in refusals_for_group(session, group_id, contact_ids):
        flash(request, "error", refusal.message)


def _back(contact_id: DbInt) -> RedirectResponse:
    return RedirectResponse(contact_url(contact_id, "groups"), status_code=303)


@router.get(CONTACT + "/groups", response_class=HTMLResponse)
def groups_tab(contact_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    contact = get_contact(session, contact_id)
    memberships = service.contact_groups(session, contact_id)
    current_ids = {m.group_id for m in memberships.current}
    context = {
        "current": memberships.current,
        "past": memberships.past,
        "rejoinable": memberships.rejoinable(),
        "smart": matching_searches_for_contact(session, contact_id, today()),
        "addable": [g for g in service.list_groups(session) if g.id not in current_ids],
    }
    return render_tab(request, user, contact, "groups", context)


@router.post(CONTACT + "/groups")
def add_to_group(
    contact_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    group_id: Annotated[DbInt | None, Form()] = None,
) -> RedirectResponse:
    get_contact(session, contact_id)
    if group_id is None:
        raise InvalidInput("group_id", "choose a group to add the contact to")
    group = service.get_group(session, group_id)
    result = service.add_to_group(session, group.id, [contact_id], method=METHOD, actor=user.actor)
    if result.added:
        flash(request, "success", f"Added to {group.name}.")
    else:
        flash(request, "info", f"Already a member of {group.name}.")
    flash_refusals(request, session, group.id, [contact_id])
    return _back(contact_id)


@router.post(CONTACT + "/groups/{group_id:int}/remove")
def remove_from_group(
    contact_id: DbInt, group_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> RedirectResponse:
    group = service.get_group(session, group_id)
    result = service.remove_from_group(session, group.id, [contact_id], method=METHOD, actor=user.actor)
    if result.removed:
        flash(request, "success", f"Removed from {group.name}; it is now a past group.")
    return _back(contact_id)


def _past_of(session: Session, contact_id: DbInt, membership_id: DbInt) -> MembershipView:
    """The contact's own past membership: a form cannot reach another contact's history."""
    past = service.contact_groups(session, contact_id).past
    found = next((m for m in past if m.membership_id == membership_id), None)
    if found is None:
        raise InvalidInput(
            "membership", f"membership {membership_id} is not a past group of contact {contact_id}"
        )
    return found


@router.post(CONTACT + "/memberships/{membership_id:int}/rejoin")
def rejoin(
    contact_id: DbInt, membership_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> RedirectResponse:
    past = _past_of(session, contact_id, membership_id)
    service.rejoin_group(session, membership_id, method=METHOD, actor=user.actor)
    flash(request, "success", f"Rejoined {past.group_name}.")
    flash_refusals(request, session, past.group_id, [contact_id])
    return _back(contact_id)


@router.post(CONTACT + "/memberships/{membership_id:int}/delete")
def delete_past(
    contact_id: DbInt, membership_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> RedirectResponse:
    past = _past_of(session, contact_id, membership_id)
    service.delete_past_membership(session, membership_id, user.actor)
    flash(request, "success", f"The past membership of {past.group_name} was deleted.")
    return _back(contact_id)
