"""The browser's side of the OAuth return (used by web/mailchimp_routes.py's callback).

A person who started "Add Mailchimp" in the browser comes back logged in: they land on the new
integration's Mailchimp page, and a browser logged in as someone else cannot finish their connection.
A connection started through the JSON API comes back without a browser session and keeps the plain
confirmation page.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.oauth import OAuthFailed, PendingForm
from constituent.kit.numbers import DbInt
from constituent.web import first_sync
from constituent.web.pages import mailchimp_add
from constituent.web.pages import mailchimp_form as forms
from constituent.web.pages.mailchimp_page import page_url
from constituent.web.pages.rendering import flash, render
from constituent.web.sessions import logged_in_user_id


def refuse_other_user(request: Request, pending_user_id: DbInt) -> None:
    user_id = logged_in_user_id(request)
    if user_id is not None and user_id != pending_user_id:
        raise OAuthFailed(
            "This Mailchimp login was started by another user of Constituent, so it was not used. "
            "Nothing was stored; start Add Integration again."
        )


def back_to_the_form(request: Request, pending: PendingForm | None, exc: Exception) -> Response:
    """Connecting failed after Mailchimp's login (Deny, a full plan, a bad answer). A logged-in browser
    goes back to Add Mailchimp with what it typed and the sentence on the form; anyone else (an API
    client's login) gets the sentence on a page in the app's layout."""
    refusal = mailchimp_add.refusal(exc)
    # Only the person who filled the form gets it back (never another user's, never without a session).
    if pending is None or logged_in_user_id(request) != pending.user_id:
        context = {"title": "Mailchimp was not connected", "message": refusal.message}
        return render(request, "problem.html", context, status_code=400)
    form = forms.from_request(pending.request)
    mailchimp_add.keep_for_retry(request, form, refusal)
    return RedirectResponse(mailchimp_add.NEW_PATH, status_code=303)


def connected_page(request: Request, message: str, integration_id: int) -> Response:
    """A connection started without a browser session (the JSON API's login link) ends on this page."""
    context = {
        "title": "Mailchimp connected",
        "message": message,
        "link": (page_url(integration_id), "Open the Mailchimp page"),
    }
    return render(request, "problem.html", context)


def landing(
    request: Request, integration: MailchimpIntegration, first_sync_started: bool = False
) -> RedirectResponse | None:
    """To the Mailchimp page for a logged-in browser; None for a connection started elsewhere."""
    if logged_in_user_id(request) is None:
        return None
    flash(request, "success", f"Mailchimp is connected to the audience {integration.audience_name!r}.")
    if first_sync_started:
        flash(request, "info", first_sync.STARTED)
    return RedirectResponse(page_url(integration.id), status_code=303)
