"""Saved searches: the list, Advanced Search (build a filter, preview it, save it), a search's members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from constituent.crm.contacts.service import get_contact
from constituent.crm.errors import Conflict, InvalidInput
from constituent.crm.groups.service import list_groups
from constituent.crm.searches import service
from constituent.crm.searches.filters import FIELDS, FilterError
from constituent.crm.searches.models import SavedSearch
from constituent.crm.searches.preview import Preview, preview_filter
from constituent.crm.searches.schemas import SavedSearchCreate, SavedSearchUpdate
from constituent.integrations.mailchimp import repository as mailchimp_integrations
from constituent.integrations.mailchimp import source_deletion
from constituent.kit.clock import today
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages import search_form
from constituent.web.pages.deps import PROTECTED, PageUser, SettingsDep, UserDep
from constituent.web.pages.exports import csv_download, file_name
from constituent.web.pages.forms import validation_errors
from constituent.web.pages.paging import PAGE_SIZE, PageNumber, offset, page_count
from constituent.web.pages.rendering import flash, render
from constituent.web.pages.search_form import SearchForm

router = APIRouter(dependencies=PROTECTED)
SEARCH = "/searches/{search_id:int}"
NEW = "/searches/new"


@router.get("/searches", response_class=HTMLResponse)
def searches_page(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    context = {"nav": "searches", "searches": service.list_searches(session, today=today())}
    return render(request, "crm/searches.html", context, user=user)


def _builder(
    request: Request,
    user: PageUser,
    session: Session,
    form: SearchForm,
    preview: Preview | None = None,
    *,
    editing: SavedSearch | None = None,
    everyone: int | None = None,
) -> HTMLResponse:
    """The builder, for a new search or ``editing`` one; ``everyone``: the count of a search with no
    condition about to be saved, which asks to confirm first."""
    context: dict[str, Any] = {
        "nav": "searches",
        "editing": editing,
        "action": f"/searches/{editing.id}/edit" if editing else NEW,
        "everyone": everyone,
        "syncs_to_mailchimp": bool(everyone is not None and mailchimp_integrations.list_all(session)),
        "form": form,
        "state": form.state,
        "fields": search_form.FIELD_LABELS,
        "ops": search_form.OP_LABELS,
        "date_range_fields": [name for name, spec in FIELDS.items() if spec.takes_date_range],
        "preview": preview,
        "preview_contacts": [get_contact(session, i) for i in preview.first_ids] if preview else [],
    }
    status = 400 if form.state.errors else 200
    return render(request, "crm/search_new.html", context, status_code=status, user=user)


@router.get(NEW, response_class=HTMLResponse)
def advanced_search(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    return _builder(request, user, session, search_form.empty())


@router.post(NEW, response_model=None)
async def build_search(request: Request, user: UserDep, session: SessionDep) -> Response:
    return await _built(request, user, session, None)


@router.get(SEARCH + "/edit", response_class=HTMLResponse, response_model=None)
def edit_search(search_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> Response:
    search = service.get_search(session, search_id)
    form = search_form.from_filter(search.filter, _group_names(session), search.name, search.description)
    if search.is_quick_list or form is None:
        why = "is a built-in quick list" if search.is_quick_list else "has conditions the builder cannot show"
        flash(request, "error", f"{search.name} {why}, so it cannot be edited here.")
        return RedirectResponse(f"/searches/{search_id}", status_code=303)
    return _builder(request, user, session, form, editing=search)


@router.post(SEARCH + "/edit", response_model=None)
async def save_edited_search(
    search_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> Response:
    return await _built(request, user, session, service.get_search(session, search_id))


async def _built(request: Request, user: PageUser, session: Session, editing: SavedSearch | None) -> Response:
    """One builder for a new search and an edited one: add a row, preview, or save."""
    sent = await request.form()
    form = search_form.read(sent)
    action = sent.get("action")
    if action == "add_row":
        more = SearchForm(form.state, min(search_form.MAX_ROWS, form.rows + 1), form.match)
        return _builder(request, user, session, more, editing=editing)
    group_ids = {group.name: group.id for group in list_groups(session)}
    raw, rows = search_form.build_filter(form, group_ids)
    try:
        if action == "save":
            if not rows and sent.get("everyone") != "yes":
                # No condition matches every contact, and every saved search is a Mailchimp tag.
                found = preview_filter(session, raw, today())
                return _builder(request, user, session, form, found, editing=editing, everyone=found.count)
            search = _save(session, form, raw, editing)
            flash(request, "success", f"The search {search.name} was saved.")
            return RedirectResponse(f"/searches/{search.id}", status_code=303)
        return _builder(request, user, session, form, preview_filter(session, raw, today()), editing=editing)
    except FilterError as exc:
        form.state.errors = search_form.error_fields(exc, rows, form)
    except ValidationError as exc:
        form.state.errors = validation_errors(exc)
    except InvalidInput as exc:
        form.state.errors = {"name": exc.message}
    except Conflict as exc:
        form.state.errors = {"name": str(exc)}
    return _builder(request, user, session, form, editing=editing)


def _save(
    session: Session, form: SearchForm, raw: dict[str, Any], editing: SavedSearch | None
) -> SavedSearch:
    values = {
        "name": form.state.value("name") or " ",
        "description": form.state.value("description"),
        "filter": raw,
    }
    if editing is None:
        return service.create_search(session, SavedSearchCreate.model_validate(values))
    return service.update_search(session, editing.id, SavedSearchUpdate.model_validate(values))


def _group_names(session: Session) -> dict[int, str]:
    return {group.id: group.name for group in list_groups(session)}


@router.get(SEARCH, response_class=HTMLResponse)
def search_page(
    search_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    page: PageNumber = 1,
) -> HTMLResponse:
    search = service.get_search(session, search_id)
    result = service.run_search(session, search_id, today(), limit=PAGE_SIZE, offset=offset(page))
    context = {
        "nav": "searches",
        "search": search,
        "conditions": search_form.describe(search.filter, _group_names(session)),
        "editable": not search.is_quick_list,
        "groups": list_groups(session),
        "count": result.count,
        "members": [get_contact(session, i) for i in result.contact_ids],
        "page": page,
        "pages": page_count(result.count),
    }
    return render(request, "crm/search.html", context, user=user)


@router.get(SEARCH + "/export.csv")
def export_search(
    search_id: DbInt, _user: UserDep, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    search = service.get_search(session, search_id)
    only = service.matching_query(session, search_id, today())
    return csv_download(session, settings, file_name("search", search.id, search.name), only)


@router.post(SEARCH + "/delete")
def delete_search(
    search_id: DbInt, request: Request, _user: UserDep, session: SessionDep
) -> RedirectResponse:
    name = service.get_search(session, search_id).name
    try:
        source_deletion.delete_search(session, search_id)
    except source_deletion.SourceInUse as exc:
        flash(request, "error", f"The search was not deleted. {exc}")
        return RedirectResponse(f"/searches/{search_id}", status_code=303)
    flash(request, "success", f"The search {name} was deleted.")
    return RedirectResponse("/searches", status_code=303)
