"""Integrations > Add Mailchimp: the form, then Mailchimp's login (OAuth) or an API key.

This handler is the boundary. With an API key it commits between connecting and registering the
webhook, because Mailchimp validates the webhook URL by calling this server, which must already know
the integration. With OAuth it commits the pending form and sends the person to Mailchimp; the callback
(web/mailchimp_routes.py) finishes and lands on the Mailchimp page.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from constituent.crm.errors import Conflict, DomainError, InvalidInput
from constituent.crm.groups.service import list_groups
from constituent.crm.organization.service import get_settings as get_org_settings
from constituent.integrations.mailchimp import errors, oauth
from constituent.integrations.mailchimp.audience import AccountRejected, AudienceLimitReached
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.connecting import connect_and_register
from constituent.integrations.mailchimp.credentials import api_base_for_key
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.schemas import ConnectRequest
from constituent.integrations.mailchimp.sync.models import RunTrigger
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.web import first_sync
from constituent.web.deps import SessionDep
from constituent.web.pages import mailchimp_form as forms
from constituent.web.pages.deps import PROTECTED, AdminDep, DatabaseDep, PageUser, SettingsDep
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)
NEW_PATH = "/integrations/mailchimp/new"


class ConnectRefused(Exception):
    """Connecting failed in a way the person can fix: a sentence, and the field it concerns (if one)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def oauth_available(settings: Settings) -> bool:
    return bool(settings.mailchimp_client_id and settings.mailchimp_client_secret)


_RETRY = "mailchimp_retry"


def keep_for_retry(request: Request, form: forms.MailchimpForm, refused: ConnectRefused) -> None:
    """What the person typed and why connecting failed, for the next GET of the form (after the
    OAuth return, which is another request). In the signed session, read once."""
    request.session[_RETRY] = {
        "values": form.values,
        "groups": form.groups,
        "message": refused.message,
        "field": refused.field or "",
    }


def _retried_form(request: Request) -> tuple[forms.MailchimpForm, str] | None:
    kept = request.session.pop(_RETRY, None)
    if not isinstance(kept, dict):
        return None
    form = forms.MailchimpForm(values=dict(kept["values"]), groups=list(kept["groups"]))
    if kept["field"]:
        form.errors[kept["field"]] = kept["message"]
    return form, str(kept["message"])


@router.get(NEW_PATH, response_class=HTMLResponse)
def new_form(request: Request, user: AdminDep, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    retried = _retried_form(request)
    if retried is not None:
        form, message = retried
        return _form_page(request, user, session, settings, form, message=message, status_code=400)
    available = oauth_available(settings)
    form = forms.prefilled(get_org_settings(session), oauth_available=available)
    return _form_page(request, user, session, settings, form)


@router.post(NEW_PATH, response_model=None)
async def add_mailchimp(
    request: Request, user: AdminDep, session: SessionDep, settings: SettingsDep, database: DatabaseDep
) -> Response:
    form = forms.submitted(await request.form())
    # Off the event loop: connecting waits on Mailchimp, which meanwhile calls this server back.
    return await asyncio.to_thread(_add, request, user, session, settings, database, form)


def _add(
    request: Request,
    user: PageUser,
    session: Session,
    settings: Settings,
    database: Database,
    form: forms.MailchimpForm,
) -> Response:
    try:
        connect = forms.connect_request(form)
        if form.connect_method == "oauth":
            return RedirectResponse(_oauth_url(session, settings, user, connect), status_code=303)
        integration = _connect_with_key(session, settings, connect)
    except forms.FormInvalid:
        return _form_page(request, user, session, settings, form, status_code=400)
    except ConnectRefused as exc:
        session.rollback()
        if exc.field:
            form.errors[exc.field] = exc.message
        return _form_page(request, user, session, settings, form, message=exc.message, status_code=400)
    flash(request, "success", f"Mailchimp is connected to the audience {integration.audience_name!r}.")
    session.commit()  # the first sync (its own boundary) must find the integration, and no lock held
    if first_sync.start_if_asked(database, settings, integration.id, connect, RunTrigger.ui):
        flash(request, "info", first_sync.STARTED)
    return RedirectResponse(f"/integrations/mailchimp/{integration.id}", status_code=303)


def _oauth_url(session: Session, settings: Settings, user: PageUser, connect: ConnectRequest) -> str:
    try:
        return oauth.start(session, settings, user.id, connect, utcnow())
    except DomainError as exc:
        raise ConnectRefused(str(exc), "connect_method") from exc


def _connect_with_key(session: Session, settings: Settings, request: ConnectRequest) -> MailchimpIntegration:
    key = request.api_key or ""
    try:
        credentials = Credentials("api_key", key, api_base_for_key(settings, key))
        box = SecretBox.from_settings(settings)
        return asyncio.run(connect_and_register(session, box, request, credentials, settings.base_url))
    except ValueError as exc:
        raise ConnectRefused(f"The API key looks wrong: {exc}", "api_key") from exc
    except (DomainError, errors.MailchimpError) as exc:
        raise refusal(exc) from exc


def refusal(exc: Exception) -> ConnectRefused:
    """Which field to mark for each refusal (the message is always the service's own sentence)."""
    if isinstance(exc, InvalidInput):
        return ConnectRefused(exc.message, forms.field_for(exc.field))
    if isinstance(exc, AudienceLimitReached):
        return ConnectRefused(str(exc), "audience_choice")
    if isinstance(exc, AccountRejected):
        return ConnectRefused(str(exc), "api_key")
    if isinstance(exc, Conflict):
        return ConnectRefused(str(exc), "audience_id")
    if isinstance(exc, errors.MailchimpError):
        return ConnectRefused(exc.describe())
    return ConnectRefused(str(exc))


def _form_page(
    request: Request,
    user: PageUser,
    session: Session,
    settings: Settings,
    form: forms.MailchimpForm,
    *,
    message: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "nav": "integrations",
        "form": form,
        "message": message,
        "groups": [g.name for g in list_groups(session)],
        "oauth_available": oauth_available(settings),
        "name_field": forms.NAME,
        "contact_fields": forms.AUDIENCE_CONTACT,
        "reminder_field": forms.PERMISSION_REMINDER,
        "campaign_fields": forms.CAMPAIGN_DEFAULTS,
        "audience_id_field": forms.AUDIENCE_ID,
        "api_key_field": forms.API_KEY,
        "nightly_field": forms.NIGHTLY_TIME,
        "labels": forms.LABELS,
    }
    return render(request, "integrations/mailchimp_new.html", context, status_code=status_code, user=user)
