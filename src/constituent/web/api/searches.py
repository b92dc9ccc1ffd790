"""Saved searches (smart groups) and the built-in quick lists: create, read, change, delete, run."""

from __future__ import annotations

from fastapi import APIRouter, status

from constituent.crm.searches import service
from constituent.crm.searches.schemas import SavedSearchCreate, SavedSearchOut, SavedSearchUpdate
from constituent.integrations.mailchimp import source_deletion
from constituent.kit.clock import today
from constituent.kit.numbers import DbInt
from constituent.web.api.pagination import Page, PageDep
from constituent.web.deps import SessionDep

router = APIRouter(prefix="/saved-searches", tags=["saved searches"])


@router.get("", response_model=Page[SavedSearchOut])
def list_searches(session: SessionDep, page: PageDep) -> Page[SavedSearchOut]:
    # Saved searches number in the dozens: paging the full list in memory is simplest.
    searches = [SavedSearchOut.model_validate(s) for s in service.list_searches(session, today=today())]
    return page.page(searches[page.offset : page.offset + page.limit], len(searches))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SavedSearchOut)
def create_search(data: SavedSearchCreate, session: SessionDep) -> SavedSearchOut:
    return SavedSearchOut.model_validate(service.create_search(session, data))


@router.get("/{search_id}", response_model=SavedSearchOut)
def get_search(search_id: DbInt, session: SessionDep) -> SavedSearchOut:
    return SavedSearchOut.model_validate(service.get_search(session, search_id))


@router.patch("/{search_id}", response_model=SavedSearchOut)
def update_search(search_id: DbInt, data: SavedSearchUpdate, session: SessionDep) -> SavedSearchOut:
    return SavedSearchOut.model_validate(service.update_search(session, search_id, data))


@router.delete("/{search_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_search(search_id: DbInt, session: SessionDep, leave_tags_on_members: bool = False) -> None:
    """Delete a saved search. Its Mailchimp tag is taken off the members we put it on at the next sync,
    unless ``leave_tags_on_members``; one that decides an audience's membership or is an interest is
    refused (409) until it is unmapped."""
    source_deletion.delete_search(session, search_id, leave_tags_on_members=leave_tags_on_members)


@router.get("/{search_id}/contacts", response_model=Page[int])
def run_search(search_id: DbInt, session: SessionDep, page: PageDep) -> Page[int]:
    """The ids of the contacts matching today, ascending (fetch a contact with GET /contacts/{id})."""
    result = service.run_search(session, search_id, today(), limit=page.limit, offset=page.offset)
    return page.page(result.contact_ids, result.count)
