"""Who left the audience: the people Mailchimp holds as unsubscribed or cleaned, with when, why and the
contact, newest first and paged on the server (an old audience may hold tens of thousands)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, UserDep
from constituent.web.pages.paging import PAGE_SIZE, PageNumber, offset, page_count
from constituent.web.pages.rendering import render

router = APIRouter(dependencies=PROTECTED)

# The filter's choices, in words; "" is everyone who left.
SHOWN = {
    "": "Everyone who left",
    "unsubscribed": "Unsubscribed",
    "cleaned": "Cleaned (bounced or complained)",
}
STATUS_WORDS = {RemoteStatus.unsubscribed: "Unsubscribed", RemoteStatus.cleaned: "Cleaned"}


@router.get("/integrations/mailchimp/{integration_id:int}/left", response_class=HTMLResponse)
def left(
    integration_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    page: PageNumber = 1,
    status: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    integration = service.get_integration(session, integration_id)
    chosen = status if status in SHOWN else ""
    statuses = [RemoteStatus(chosen)] if chosen else list(ledger.LEFT_STATUSES)
    people, total = ledger.left_members(session, integration.id, statuses, offset(page), PAGE_SIZE)
    context = {
        "nav": "integrations",
        "integration": integration,
        "people": people,
        "total": total,
        "page": page,
        "pages": page_count(total),
        "status": chosen,
        "shown": SHOWN,
        "status_words": STATUS_WORDS,
    }
    return render(request, "integrations/mailchimp_left.html", context, user=user)
