"""The browser pages (Jinja2 + htmx): session cookie, form tokens, and every page router.

Every router here but the login form's depends on ``deps.PROTECTED`` (a logged-in session, then the form
token), so a page added later is protected without thinking about it; tests/web/pages checks each route.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from constituent.kit.settings import Settings
from constituent.web.pages import (
    admin_users,
    api_tokens,
    auth,
    contact_contributions,
    contact_emails,
    contact_groups,
    contact_pages,
    contact_selection,
    crm_lists,
    dashboard,
    duplicates_pages,
    groups_pages,
    imports_pages,
    integrations,
    mailchimp_add,
    mailchimp_page,
    organization,
    searches_pages,
)
from constituent.web.pages.errors import install_error_pages
from constituent.web.pages.login_limiter import LoginLimiter
from constituent.web.sessions import install_sessions

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PUBLIC_ROUTERS = (auth.router,)
PROTECTED_ROUTERS = (
    auth.logout_router,
    dashboard.router,
    integrations.router,
    mailchimp_add.router,
    mailchimp_page.router,
    crm_lists.router,
    contact_selection.router,
    duplicates_pages.router,
    organization.router,
    contact_pages.router,
    contact_contributions.router,
    contact_emails.router,
    contact_groups.router,
    groups_pages.router,
    imports_pages.router,
    admin_users.router,
    api_tokens.router,
    searches_pages.router,
)


async def _favicon(_request: Request) -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


def install_pages(app: FastAPI, settings: Settings) -> None:
    app.state.login_limiter = LoginLimiter()
    install_sessions(app, settings)
    install_error_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Browsers ask for /favicon.ico on pages that name no icon (a JSON answer, the API docs' tab).
    app.add_route("/favicon.ico", _favicon, include_in_schema=False)
    for router in (*PUBLIC_ROUTERS, *PROTECTED_ROUTERS):
        app.include_router(router, include_in_schema=False)
