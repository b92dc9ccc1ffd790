"""Who left the audience: the people Mailchimp holds as unsubscribed or cleaned, with when, why and the
contact, newest first and paged on the server (an old audience may hold tens of thousands); and those
someone archived by hand in Mailchimp, which an administrator may restore (mailchimp/restore.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.restore import restore_hand_archived
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, AdminDep, UserDep
from constituent.web.pages.paging import PAGE_SIZE, PageNumber, offset, page_count
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)

# The filter's choices, in words; "" is everyone who left.
SHOWN = {
    "": "Everyone who left",
    "unsubscribed": "Unsubscribed",
    "cleaned": "Cleaned (bounced or complained)",
    "archived": "Archived in Mailchimp by hand",
}
STATUS_WORDS = {
    RemoteStatus.unsubscribed: "Unsubscribed",
    RemoteStatus.cleaned: "Cleaned",
    RemoteStatus.archived: "Archived by hand",
}
LEFT = "/integrations/mailchimp/{integration_id:int}/left"


@router.get(LEFT, response_class=HTMLResponse)
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
    by_hand = chosen == RemoteStatus.archived
    people, total = ledger.left_members(
        session, integration.id, statuses, offset(page), PAGE_SIZE, archived_by_hand=by_hand
    )
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


@router.post(LEFT + "/restore")
def restore(
    integration_id: DbInt, request: Request, _user: AdminDep, session: SessionDep
) -> RedirectResponse:
    count = restore_hand_archived(session, integration_id)
    flash(request, "success", f"{count} member(s) archived by hand will be restored at the next sync.")
    return RedirectResponse(f"/integrations/mailchimp/{integration_id}/left?status=archived", status_code=303)
