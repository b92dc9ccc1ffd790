"""What a staffer does with several contacts at once: the ticked rows of a list (the Contacts list, a
group's members), every contact a saved search finds, or every contact the Contacts list shows as
filtered. Each is one set-based call to the groups service, and a flash saying what happened."""

from __future__ import annotations

import enum
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from constituent.crm.contacts.models import Contact
from constituent.crm.contacts.service import listed_contact_ids
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.searches import service as searches
from constituent.kit.clock import today, utcnow
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.auth import safe_next
from constituent.web.pages.contact_groups import flash_refusals
from constituent.web.pages.crm_lists import listing_of
from constituent.web.pages.deps import PROTECTED, SettingsDep, UserDep
from constituent.web.pages.exports import csv_download
from constituent.web.pages.rendering import flash

router = APIRouter(dependencies=PROTECTED)
METHOD = MembershipMethod.user
MAX_SELECTED = 1000  # a page shows 50; ticking across pages is not offered


class SelectionAction(enum.StrEnum):
    add = "add"
    remove = "remove"
    export = "export"


@router.post("/contacts/selected", response_model=None)
def act_on_selected(
    request: Request,
    user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
    action: Annotated[SelectionAction, Form()],
    contact_ids: Annotated[list[DbInt], Form(max_length=MAX_SELECTED)] = [],  # noqa: B006 (FastAPI form)
    group_id: Annotated[str, Form(max_length=20)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/contacts",
) -> Response:
    """Add the ticked contacts to a group, remove them from one, or export them."""
    back = safe_next(back)
    if not contact_ids:
        flash(request, "error", "Tick at least one contact first.")
        return RedirectResponse(back, status_code=303)
    if action is SelectionAction.export:
        only = select(Contact.id).where(Contact.id.in_(contact_ids))
        return csv_download(session, settings, f"contacts-{utcnow():%Y-%m-%d}-selected.csv", only)
    chosen = _group(request, session, group_id)
    if chosen is None:
        return RedirectResponse(back, status_code=303)
    if action is SelectionAction.add:
        _add(request, session, chosen, contact_ids, user.actor)
    else:
        _remove(request, session, chosen, contact_ids, user.actor)
    return RedirectResponse(back, status_code=303)


@router.post("/searches/{search_id:int}/to-group")
def search_to_group(
    search_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    group_id: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    """Every contact the saved search finds today joins the group."""
    chosen = _group(request, session, group_id)
    if chosen is not None:
        ids = searches.run_search(session, search_id, today()).contact_ids
        _add(request, session, chosen, ids, user.actor)
    return RedirectResponse(f"/searches/{search_id}", status_code=303)


@router.post("/contacts/to-group")
def list_to_group(
    request: Request,
    user: UserDep,
    session: SessionDep,
    group_id: Annotated[str, Form(max_length=20)] = "",
    q: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    status: Annotated[str, Form(max_length=20)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/contacts",
) -> RedirectResponse:
    """Every contact the Contacts list shows as filtered (all its pages) joins the group."""
    chosen = _group(request, session, group_id)
    if chosen is not None:
        listing = listing_of(kind, status, "")
        _add(
            request,
            session,
            chosen,
            listed_contact_ids(session, search=q.strip() or None, listing=listing),
            user.actor,
        )
    return RedirectResponse(safe_next(back), status_code=303)


def _group(request: Request, session: SessionDep, group_id: str) -> int | None:
    if not group_id.strip().isdigit():
        flash(request, "error", "Choose a group first.")
        return None
    return groups.get_group(session, int(group_id)).id


def _remove(request: Request, session: SessionDep, group_id: int, ids: list[int], actor: str) -> None:
    removed = groups.remove_from_group(session, group_id, ids, method=METHOD, actor=actor).removed
    name = groups.get_group(session, group_id).name
    flash(
        request,
        "success",
        f"Removed {len(removed)} contact(s) from {name}; it shows as a past group on each.",
    )


def _add(request: Request, session: SessionDep, group_id: int, ids: list[int], actor: str) -> None:
    result = groups.add_to_group(session, group_id, ids, method=METHOD, actor=actor)
    name = groups.get_group(session, group_id).name
    already = f" {len(result.already_members)} already were." if result.already_members else ""
    flash(request, "success", f"Added {len(result.added)} contact(s) to {name}.{already}")
    flash_refusals(request, session, group_id, result.added)
