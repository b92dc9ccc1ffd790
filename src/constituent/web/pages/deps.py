"""What every page depends on: the logged-in person (or a redirect to /login), and the form token check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from constituent.auth import repository as users
from constituent.auth.models import Role
from constituent.crm.organization import repository as organization
from constituent.integrations.mailchimp import repository as mailchimp_integrations
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.web.csrf import check_csrf
from constituent.web.deps import database
from constituent.web.nul_guard import refuse_nul
from constituent.web.pages.local_time import zone_of
from constituent.web.sessions import log_out, logged_in_user_id, session_generation


@dataclass(frozen=True, slots=True)
class PageUser:
    id: int
    email: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def actor(self) -> str:
        """What the change log records for changes made in the browser."""
        return f"user:{self.id}"


class LoginRequired(Exception):
    """No live session: the person is sent to /login and brought back afterwards."""


class AdminRequired(Exception):
    """A staff member asked for something only administrators may do (answered with 403)."""


def page_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def current_user(request: Request) -> PageUser:
    """The session's user, read again on every request so a deactivated user is out at once, and a
    session begun before the user's last logout or password change is over (its generation is old)."""
    user_id = logged_in_user_id(request)
    if user_id is None:
        raise LoginRequired()
    # Its own short transaction: page handlers that run long (a sync) hold no database session open.
    with session_scope(database(request).sessions) as session:
        user = users.get_user(session, user_id)
        live = user is not None and user.is_active and user.session_generation == session_generation(request)
        found = PageUser(user.id, user.email, user.role) if user is not None and live else None
        org = organization.get(session)
        # What the layout of every page needs, read in this short transaction the page opens anyway:
        # the organization's zone (times are shown in it) and the integrations (the menu's entries).
        request.state.zone_name = org.timezone if org is not None else None
        request.state.mailchimp_menu = mailchimp_integrations.names(session)
    if found is None:
        log_out(request)
        raise LoginRequired()
    return found


def mailchimp_menu(request: Request) -> list[tuple[int, str]]:
    """The connected Mailchimp integrations, (id, name), for the Integrations menu."""
    found: list[tuple[int, str]] = getattr(request.state, "mailchimp_menu", [])
    return found


def page_zone(request: Request) -> ZoneInfo:
    """The organization's time zone for this request (UTC before anyone logged in, or none was chosen)."""
    return zone_of(getattr(request.state, "zone_name", None))


UserDep = Annotated[PageUser, Depends(current_user)]
DatabaseDep = Annotated[Database, Depends(database)]
SettingsDep = Annotated[Settings, Depends(page_settings)]


def require_admin(user: UserDep) -> PageUser:
    if not user.is_admin:
        raise AdminRequired()
    return user


AdminDep = Annotated[PageUser, Depends(require_admin)]

# For routers of logged-in pages: the session is checked first (no session: to /login), then the token.
PROTECTED = [Depends(current_user), Depends(check_csrf), Depends(refuse_nul)]
# For the login form itself: no session yet, but still the token (login CSRF).
PUBLIC = [Depends(check_csrf), Depends(refuse_nul)]
