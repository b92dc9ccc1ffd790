"""Groups: the list with "Create group", and a group's page (members, add/remove, rename, delete)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from constituent.crm.contacts.lookup import find_people
from constituent.crm.errors import Conflict, InvalidInput
from constituent.crm.groups import service
from constituent.crm.groups.models import MembershipMethod
from constituent.integrations.mailchimp import source_deletion
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.contact_groups import flash_refusals
from constituent.web.pages.deps import PROTECTED, PageUser, SettingsDep, UserDep
from constituent.web.pages.exports import csv_download, file_name
from constituent.web.pages.forms import FormState
from constituent.web.pages.paging import PAGE_SIZE, PageNumber, offset, page_count
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)
GROUP = "/groups/{group_id:int}"
METHOD = MembershipMethod.user


def group_url(group_id: DbInt) -> str:
    return f"/groups/{group_id}"


def _list_page(request: Request, user: PageUser, session: Session, form: FormState) -> HTMLResponse:
    context = {"nav": "groups", "groups": service.list_groups(session), "form": form}
    return render(request, "crm/groups.html", context, status_code=400 if form.errors else 200, user=user)


@router.get("/groups", response_class=HTMLResponse)
def groups_page(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    return _list_page(request, user, session, FormState())


@router.post("/groups", response_model=None)
def create_group(
    request: Request,
    user: UserDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=400)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        group = service.create_group(session, name, description.strip(), actor=user.actor)
    except (InvalidInput, Conflict) as exc:
        message = exc.message if isinstance(exc, InvalidInput) else str(exc)
        form = FormState(values={"name": name, "description": description}, errors={"name": message})
        return _list_page(request, user, session, form)
    flash(request, "success", f"The group {group.name} was created.")
    return RedirectResponse(group_url(group.id), status_code=303)


@router.get(GROUP, response_class=HTMLResponse)
def group_page(
    group_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    page: PageNumber = 1,
) -> HTMLResponse:
    group = service.get_group(session, group_id)
    members, total = service.group_members(session, group_id, limit=PAGE_SIZE, offset=offset(page))
    context = {
        "nav": "groups",
        "group": group,
        "members": members,
        "total": total,
        "page": page,
        "pages": page_count(total),
    }
    return render(request, "crm/group.html", context, user=user)


@router.get(GROUP + "/export.csv")
def export_group(group_id: DbInt, _user: UserDep, session: SessionDep, settings: SettingsDep) -> FileResponse:
    group = service.get_group(session, group_id)
    only = service.member_ids_query(session, group_id)
    return csv_download(session, settings, file_name("group", group.id, group.name), only)


@router.post(GROUP + "/rename")
def rename_group(
    group_id: DbInt, request: Request, user: UserDep, session: SessionDep, name: Annotated[str, Form()] = ""
) -> RedirectResponse:
    try:
        group = service.rename_group(session, group_id, name, actor=user.actor)
        flash(request, "success", f"The group is now called {group.name}.")
    except (InvalidInput, Conflict) as exc:
        flash(request, "error", f"The group was not renamed: {getattr(exc, 'message', str(exc))}")
    return RedirectResponse(group_url(group_id), status_code=303)


@router.post(GROUP + "/delete")
def delete_group(group_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> RedirectResponse:
    name = service.get_group(session, group_id).name
    try:
        source_deletion.delete_group(session, group_id, actor=user.actor)
    except source_deletion.SourceInUse as exc:
        flash(request, "error", f"The group was not deleted. {exc}")
        return RedirectResponse(group_url(group_id), status_code=303)
    flash(request, "success", f"The group {name} was deleted, with its members' history.")
    return RedirectResponse("/groups", status_code=303)


@router.post(GROUP + "/members")
def add_members(
    group_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    people: Annotated[str, Form(max_length=20_000)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
) -> RedirectResponse:
    """Names or emails, one a line: those that name someone for sure are added together; every other
    line is said back. (``email``: the single address the form took before.)"""
    group = service.get_group(session, group_id)
    lookup = find_people(session, people or email)
    if not lookup.found and not lookup.problems:
        flash(request, "error", "Type a name or an email, one a line.")
        return RedirectResponse(group_url(group_id), status_code=303)
    ids = list(lookup.found)
    added = service.add_to_group(session, group.id, ids, method=METHOD, actor=user.actor).added if ids else []
    if ids:
        names = ", ".join(lookup.found[i] for i in added)
        flash(request, "success" if names else "info", f"Added {names}." if names else "Already members.")
        flash_refusals(request, session, group.id, ids)
    if lookup.problems:
        flash(request, "error", "Not added: " + " ".join(lookup.problems))
    return RedirectResponse(group_url(group_id), status_code=303)


@router.post(GROUP + "/members/{contact_id:int}/remove")
def remove_member(
    group_id: DbInt, contact_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> RedirectResponse:
    result = service.remove_from_group(session, group_id, [contact_id], method=METHOD, actor=user.actor)
    if result.removed:
        flash(request, "success", "Removed from the group; it shows as a past group on the contact.")
    return RedirectResponse(group_url(group_id), status_code=303)
