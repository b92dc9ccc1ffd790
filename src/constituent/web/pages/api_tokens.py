"""Personal API tokens: create one (shown once, on the answer page only), list, revoke.

Everyone manages their own tokens; administrators see and revoke everyone's. A new token is rendered
straight into the POST's answer, never put in a flash message: flashes travel in the session cookie.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from constituent.auth import service
from constituent.auth.models import ApiToken
from constituent.crm.errors import InvalidInput
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, AdminRequired, PageUser, UserDep
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)
TOKENS = "/tokens"


def _visible(session: Session, user: PageUser) -> Sequence[ApiToken]:
    tokens = service.list_tokens(session)
    return tokens if user.is_admin else [t for t in tokens if t.user_id == user.id]


def _page(
    request: Request, user: PageUser, session: Session, *, new_token: str = "", error: str = ""
) -> HTMLResponse:
    context = {"nav": "tokens", "tokens": _visible(session, user), "new_token": new_token, "error": error}
    response = render(request, "admin/tokens.html", context, status_code=400 if error else 200, user=user)
    if new_token:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get(TOKENS, response_class=HTMLResponse)
def tokens_page(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    return _page(request, user, session)


@router.post(TOKENS, response_class=HTMLResponse)
def create_token(
    request: Request, user: UserDep, session: SessionDep, name: Annotated[str, Form(max_length=1000)] = ""
) -> HTMLResponse:
    try:
        issued = service.create_token(session, user.email, name=name.strip())
    except InvalidInput as exc:
        return _page(request, user, session, error=f"Name: {exc.message}.")
    session.flush()
    return _page(request, user, session, new_token=issued.raw)


@router.post(TOKENS + "/{token_id:int}/revoke", response_model=None)
def revoke_token(token_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> Response:
    token = next((t for t in service.list_tokens(session) if t.id == token_id), None)
    if token is None:
        raise InvalidInput("token", f"there is no token {token_id}")
    if token.user_id != user.id and not user.is_admin:
        raise AdminRequired()
    service.revoke_token(session, token_id)
    flash(
        request,
        "success",
        f"The token {token.prefix}… was revoked; programs using it are refused from now on.",
    )
    return RedirectResponse(TOKENS, status_code=303)
