"""Mailchimp's OAuth 2 web-server flow as login.mailchimp.com runs it: authorize → code → token → metadata.

Tokens never expire (``expires_in`` 0) and there are no scopes or refresh tokens. A code is single use and
short lived. Token errors are JSON ``{"error": ...}`` with 400, as OAuth servers answer; the metadata call
uses the ``OAuth`` authorization scheme (not Bearer), and ``api_endpoint`` points back at this emulator.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from mailchimp_emulator.clock import now
from mailchimp_emulator.routes.common import store_of
from mailchimp_emulator.state import Account, OAuthApp, OAuthCode, OAuthToken, Store

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

CODE_LIFETIME = timedelta(minutes=10)


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.error, "error_description": self.description}, self.status)


@router.get("/oauth2/authorize")
async def authorize_page(request: Request) -> Response:
    query = request.query_params
    try:
        app = _authorizing_app(store_of(request), query.get("response_type"), query.get("client_id"))
        _check_redirect(app, query.get("redirect_uri"))
    except OAuthError as exc:
        return exc.response()
    return _login_page(request, app, dict(query), error="")


@router.post("/oauth2/authorize")
async def authorize(request: Request) -> Response:
    form = await request.form()
    store = store_of(request)
    try:
        app = _authorizing_app(store, _text(form, "response_type"), _text(form, "client_id"))
        redirect_uri = _check_redirect(app, _text(form, "redirect_uri"))
    except OAuthError as exc:
        return exc.response()
    state = _text(form, "state")
    if _text(form, "decision") == "deny":
        return _redirect(redirect_uri, error="access_denied", state=state)
    account = _login(store, _text(form, "username"), _text(form, "password"))
    if account is None:
        fields = {name: _text(form, name) for name in ("client_id", "redirect_uri", "state", "username")}
        return _login_page(request, app, fields, error="Sorry, that username and password don't match.")
    code = OAuthCode(secrets.token_hex(16), app.client_id, account.id, redirect_uri, now())
    store.oauth_codes[code.code] = code
    return _redirect(redirect_uri, code=code.code, state=state)


@router.post("/oauth2/token")
async def token(request: Request) -> Response:
    form = await request.form()
    try:
        issued = _exchange(store_of(request), form)
    except OAuthError as exc:
        return exc.response()
    return JSONResponse({"access_token": issued.token, "expires_in": 0, "scope": None})


@router.get("/oauth2/metadata")
async def metadata(request: Request) -> Response:
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    store = store_of(request)
    issued = store.oauth_tokens.get(credential.strip()) if scheme.lower() == "oauth" else None
    account = store.accounts.get(issued.account_id) if issued else None
    if account is None:
        return OAuthError(
            "invalid_token", "Send a valid access token as 'Authorization: OAuth <token>'.", 401
        ).response()
    return JSONResponse(_metadata(request, account))


def _metadata(request: Request, account: Account) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    login = account.login or account.email
    return {
        "dc": account.dc,
        "role": "owner",
        "accountname": account.account_name,
        "user_id": account.id,
        "login": {
            "email": account.email or login,
            "avatar": None,
            "login_id": account.id,
            "login_name": login,
            "login_email": account.email or login,
        },
        "login_url": base,
        # Where the API lives, without /3.0, exactly as Mailchimp's "https://us21.api.mailchimp.com".
        "api_endpoint": base,
    }


def _exchange(store: Store, form: FormData) -> OAuthToken:
    """Every check a real token endpoint makes; the code is spent even when a later check fails."""
    if _text(form, "grant_type") != "authorization_code":
        raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code.")
    app = store.oauth_apps.get(_text(form, "client_id"))
    if app is None or not secrets.compare_digest(app.client_secret, _text(form, "client_secret")):
        raise OAuthError("invalid_client", "Unknown client_id or wrong client_secret.")
    code = store.oauth_codes.pop(_text(form, "code"), None)
    if code is None or code.used or code.client_id != app.client_id:
        raise OAuthError("invalid_grant", "The code is unknown, already used, or for another client.")
    code.used = True
    if now() - code.created_at > CODE_LIFETIME:
        raise OAuthError("invalid_grant", "The code has expired; authorize again.")
    if code.redirect_uri != _text(form, "redirect_uri"):
        raise OAuthError("invalid_grant", "redirect_uri does not match the one the code was issued for.")
    issued = OAuthToken(secrets.token_hex(16), app.client_id, code.account_id, now())
    store.oauth_tokens[issued.token] = issued
    return issued


def _authorizing_app(store: Store, response_type: str | None, client_id: str | None) -> OAuthApp:
    if response_type != "code":
        raise OAuthError("unsupported_response_type", "response_type must be code.")
    app = store.oauth_apps.get(client_id or "")
    if app is None:
        raise OAuthError("invalid_client", f"No OAuth app has the client_id {client_id!r}.")
    return app


def _check_redirect(app: OAuthApp, redirect_uri: str | None) -> str:
    """Only a registered redirect URI: anything else would hand the code to a stranger."""
    if not redirect_uri or redirect_uri not in app.redirect_uris:
        raise OAuthError("invalid_request", f"redirect_uri {redirect_uri!r} is not registered for this app.")
    return redirect_uri


def _login(store: Store, username: str, password: str) -> Account | None:
    for account in store.accounts.values():
        if account.login and account.login == username and secrets.compare_digest(account.password, password):
            return account
    return None


def _login_page(request: Request, app: OAuthApp, fields: dict[str, str], error: str) -> Response:
    context = {
        "app_name": app.name or "this app",
        "action": request.url_for("authorize").path,
        "client_id": fields.get("client_id", ""),
        "redirect_uri": fields.get("redirect_uri", ""),
        "state": fields.get("state", ""),
        "username": fields.get("username", ""),
        "error": error,
    }
    return templates.TemplateResponse(request, "oauth_login.html", context, status_code=200)


def _redirect(redirect_uri: str, **params: str) -> RedirectResponse:
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", status_code=302)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
