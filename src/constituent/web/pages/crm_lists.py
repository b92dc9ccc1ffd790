"""The Contacts list: search by name, organization or email, fifty to a page (profiles: contact_pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from constituent.crm.contacts.service import list_contacts
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, UserDep
from constituent.web.pages.paging import PAGE_SIZE, PageNumber, offset, page_count
from constituent.web.pages.rendering import render

router = APIRouter(dependencies=PROTECTED)


@router.get("/contacts", response_class=HTMLResponse)
def contacts_page(
    request: Request,
    user: UserDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: PageNumber = 1,
) -> HTMLResponse:
    search = q.strip() or None
    contacts, total = list_contacts(session, search=search, limit=PAGE_SIZE, offset=offset(page))
    pages = page_count(total)
    context = {"nav": "contacts", "contacts": contacts, "total": total, "q": q, "page": page, "pages": pages}
    return render(request, "crm/contacts.html", context, user=user)
