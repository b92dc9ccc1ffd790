"""The browser session: a signed cookie (Starlette's SessionMiddleware) holding who is logged in and the
form token. Nothing secret lives in it; the signature stops anyone from forging or editing it.

The signing key is derived from the newest of the SECRET_KEYS, never written in code, so rotating the
keys also ends every open browser session (people log in again).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

from constituent.kit.crypto import load_keys
from constituent.kit.settings import Settings

COOKIE_NAME = "constituent_session"
# A session ends 12 hours after the last change to it (log in, flash message); people log in again.
MAX_AGE_SECONDS = 12 * 60 * 60
_USER_ID = "uid"
_GENERATION = "gen"
_CSRF = "csrf"


def session_signing_key(settings: Settings) -> str:
    """A key of its own for cookies: HMAC of the newest secret key, so the Fernet key is never reused."""
    newest = load_keys(settings)[0]
    return hmac.new(newest.encode(), b"constituent browser session", hashlib.sha256).hexdigest()


def install_sessions(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_signing_key(settings),
        session_cookie=COOKIE_NAME,
        max_age=MAX_AGE_SECONDS,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )


def logged_in_user_id(request: Request) -> int | None:
    value = request.session.get(_USER_ID)
    return value if isinstance(value, int) else None


def session_generation(request: Request) -> int | None:
    """The user's session generation when this session began; it must still be the user's current one."""
    value = request.session.get(_GENERATION)
    return value if isinstance(value, int) else None


def log_in(request: Request, user_id: int, generation: int) -> None:
    """Start a fresh session: whatever an earlier visitor left in it (and its form token) is dropped."""
    request.session.clear()
    request.session[_USER_ID] = user_id
    request.session[_GENERATION] = generation
    request.session[_CSRF] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    request.session.clear()


def form_token(request: Request) -> str:
    """This session's form token, made on first use (the login form needs one before anyone logs in)."""
    token = request.session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


def stored_form_token(request: Request) -> str | None:
    token = request.session.get(_CSRF)
    return token if isinstance(token, str) else None
