"""/login and /logout. The login form has a form token too (no one can log a victim into another account)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from constituent.auth.service import authenticate, end_sessions
from constituent.kit.clock import utcnow
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, PUBLIC, UserDep
from constituent.web.pages.login_limiter import LoginLimiter
from constituent.web.pages.rendering import flash, render
from constituent.web.sessions import log_in, log_out

router = APIRouter(dependencies=PUBLIC)
logout_router = APIRouter(dependencies=PROTECTED)


def safe_next(target: str | None) -> str:
    """Only a path on this site: an attacker's link must not send people elsewhere after they log in."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _limiter(request: Request) -> LoginLimiter:
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


def _login_page(
    request: Request, *, next_path: str, email: str = "", error: str = "", status: int = 200
) -> HTMLResponse:
    context = {"next_path": next_path, "email": email, "error": error}
    return render(request, "login.html", context, status_code=status)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next_path: Annotated[str, Query(alias="next")] = "/") -> HTMLResponse:
    return _login_page(request, next_path=safe_next(next_path))


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    limiter, now = _limiter(request), utcnow()
    address = request.client.host if request.client else "unknown"
    target = safe_next(next_path)
    wait = limiter.retry_after(email, address, now)
    if wait is not None:
        minutes = max(1, round(wait.total_seconds() / 60))
        error = f"Too many failed logins. Try again in about {minutes} minute(s)."
        return _login_page(request, next_path=target, email=email, error=error, status=429)
    user = authenticate(session, email, password)
    if user is None:
        limiter.failed(email, address, now)
        error = "That email and password do not match an active user."
        return _login_page(request, next_path=target, email=email, error=error, status=400)
    limiter.succeeded(email, address)
    log_in(request, user.id, user.session_generation)
    return RedirectResponse(target, status_code=303)


@logout_router.post("/logout")
def logout(request: Request, user: UserDep, session: SessionDep) -> RedirectResponse:
    # On the server: a copy of this cookie (and every other session of this user) stops working too.
    end_sessions(session, user.id)
    log_out(request)
    flash(request, "info", "You are logged out.")
    return RedirectResponse("/login", status_code=303)
