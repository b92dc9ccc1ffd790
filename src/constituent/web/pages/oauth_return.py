"""The browser's side of the OAuth return (used by web/mailchimp_routes.py's callback).

A person who started "Add Mailchimp" in the browser comes back logged in: they land on the new
integration's Mailchimp page, and a browser logged in as someone else cannot finish their connection.
A connection started through the JSON API comes back without a browser session and keeps the plain
confirmation page.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.oauth import OAuthFailed
from constituent.kit.numbers import DbInt
from constituent.web.pages.mailchimp_page import page_url
from constituent.web.pages.rendering import flash
from constituent.web.sessions import logged_in_user_id


def refuse_other_user(request: Request, pending_user_id: DbInt) -> None:
    user_id = logged_in_user_id(request)
    if user_id is not None and user_id != pending_user_id:
        raise OAuthFailed(
            "This Mailchimp login was started by another user of Constituent, so it was not used. "
            "Nothing was stored; start Add Integration again."
        )


def landing(request: Request, integration: MailchimpIntegration) -> RedirectResponse | None:
    """To the Mailchimp page for a logged-in browser; None for a connection started elsewhere."""
    if logged_in_user_id(request) is None:
        return None
    flash(request, "success", f"Mailchimp is connected to the audience {integration.audience_name!r}.")
    return RedirectResponse(page_url(integration.id), status_code=303)
