"""Rendering pages: one Jinja2 environment (autoescape always on), the layout's context, flash messages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from constituent.crm.activities.types import activity_label
from constituent.web.csrf import FIELD_NAME, HEADER_NAME
from constituent.web.pages.deps import PageUser, mailchimp_menu, page_zone
from constituent.web.pages.local_time import local_time
from constituent.web.sessions import form_token

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
FlashKind = Literal["success", "error", "info"]
_FLASHES = "flashes"

# Pages must not be framed (clickjacking) and load scripts and styles only from this server.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pass_context
def _when(context: Context, value: datetime | None) -> str:
    """A stored (UTC) time in the organization's zone, which ``render`` puts on every page."""
    return local_time(value, context["zone"])


def _environment() -> Environment:
    # autoescape=True for every template, whatever its name: names and notes with HTML stay text.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["activity"] = activity_label
    env.globals["csrf_field_name"] = FIELD_NAME
    env.globals["csrf_header_name"] = HEADER_NAME
    return env


templates = Jinja2Templates(env=_environment())


def flash(request: Request, kind: FlashKind, text: str) -> None:
    """A message shown once, on the next page this person sees (after a redirect)."""
    request.session[_FLASHES] = [*request.session.get(_FLASHES, []), {"kind": kind, "text": text}]


def _take_flashes(request: Request) -> list[dict[str, str]]:
    flashes: list[dict[str, str]] = request.session.pop(_FLASHES, [])
    return flashes


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    user: PageUser | None = None,
) -> HTMLResponse:
    """Render ``template`` with the layout's needs: user, form token, flashes, the active nav entry."""
    full = {
        "user": user,
        "csrf_token": form_token(request),
        "flashes": _take_flashes(request),
        "nav": "",
        "zone": page_zone(request),
        "mailchimp_menu": mailchimp_menu(request),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response
