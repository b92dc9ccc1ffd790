"""The Contacts list: search by name, organization or email, narrow by kind and status, sort by name,
newest or last gift; fifty to a page with numbered pages (profiles: contact_pages)."""

from __future__ import annotations

import enum
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from constituent.crm.contacts.listing import (
    SORT_LABELS,
    STATUS_LABELS,
    ContactListing,
    ContactSort,
    ContactStatus,
)
from constituent.crm.contacts.models import ContactKind
from constituent.crm.contacts.service import list_contacts, listing_ids
from constituent.crm.errors import InvalidInput
from constituent.crm.groups.service import list_groups
from constituent.kit.clock import utcnow
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, SettingsDep, UserDep
from constituent.web.pages.exports import csv_download
from constituent.web.pages.paging import PAGE_SIZE, PageNumber, offset, page_count
from constituent.web.pages.rendering import render

router = APIRouter(dependencies=PROTECTED)
E = TypeVar("E", bound=enum.StrEnum)


@router.get("/contacts", response_class=HTMLResponse)
def contacts_page(
    request: Request,
    user: UserDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: PageNumber = 1,
    kind: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    search = q.strip() or None
    listing = listing_of(kind, status, sort)
    contacts, total = list_contacts(
        session, search=search, limit=PAGE_SIZE, offset=offset(page), listing=listing
    )
    pages = page_count(total)
    kept = {"q": q, "kind": kind or "", "status": status or "", "sort": sort or ""}
    context = {
        "nav": "contacts",
        "contacts": contacts,
        "total": total,
        "q": q,
        "listing": listing,
        "page": page,
        "pages": pages,
        "numbers": page_numbers(page, pages),
        "query_of": lambda number: urlencode({**{k: v for k, v in kept.items() if v}, "page": number}),
        "export_query": urlencode({k: v for k, v in kept.items() if v and k != "sort"}),
        "back": f"/contacts?{urlencode({**{k: v for k, v in kept.items() if v}, 'page': page})}",
        "groups": list_groups(session),
        "kinds": [(k.value, k.value.capitalize()) for k in ContactKind],
        "statuses": [(s.value, label) for s, label in STATUS_LABELS.items()],
        "sorts": [(s.value, label) for s, label in SORT_LABELS.items()],
    }
    return render(request, "crm/contacts.html", context, user=user)


@router.get("/contacts/export.csv")
def export_contacts(
    _user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
) -> FileResponse:
    """The list as filtered (every page of it), in the import's columns."""
    only = listing_ids(session, search=q.strip() or None, listing=listing_of(kind, status, ""))
    narrowed = q.strip() or kind or status
    name = f"contacts-{utcnow():%Y-%m-%d}{'-filtered' if narrowed else ''}.csv"
    return csv_download(session, settings, name, only)


def listing_of(kind: str, status: str, sort: str) -> ContactListing:
    # The form sends a choice left at "any" as an empty field.
    return ContactListing(
        kind=_chosen(ContactKind, kind, "kind"),
        status=_chosen(ContactStatus, status, "status"),
        sort=_chosen(ContactSort, sort, "sort"),
    )


def _chosen(choices: type[E], raw: str, field: str) -> E | None:
    if not raw:
        return None
    try:
        return choices(raw)
    except ValueError:
        allowed = ", ".join(choice.value for choice in choices)
        raise InvalidInput(field, f"choose one of {allowed}") from None


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page numbers a pager shows: the first, the last, and two either side of this one; None marks
    a gap ("…")."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
