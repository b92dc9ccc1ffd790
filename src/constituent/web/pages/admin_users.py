"""Users (administrators only): the list, "Add user", and setting a new password for someone who lost theirs.

The auth service has no deactivation yet, so there is no Deactivate button (the CLI cannot either).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from constituent.auth import service
from constituent.auth.models import Role
from constituent.crm.errors import Conflict, InvalidInput
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, AdminDep, PageUser
from constituent.web.pages.forms import FormState
from constituent.web.pages.rendering import flash, render
from constituent.web.sessions import log_in

router = APIRouter(dependencies=PROTECTED)
USERS = "/admin/users"


def _page(request: Request, user: PageUser, session: Session, form: FormState) -> HTMLResponse:
    context = {
        "nav": "users",
        "users": service.list_users(session),
        "form": form,
        "roles": [r.value for r in Role],
    }
    return render(request, "admin/users.html", context, status_code=400 if form.errors else 200, user=user)


@router.get(USERS, response_class=HTMLResponse)
def users_page(request: Request, user: AdminDep, session: SessionDep) -> HTMLResponse:
    return _page(request, user, session, FormState(values={"role": Role.staff.value}))


@router.post(USERS, response_model=None)
def create_user(
    request: Request,
    user: AdminDep,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form()] = Role.staff.value,
) -> Response:
    form = FormState(values={"email": email, "role": role})
    try:
        chosen = Role(role) if role in Role.__members__ else Role.staff
        created = service.create_user(session, email, password, role=chosen)
    except InvalidInput as exc:
        form.errors = {exc.field: exc.message}
    except Conflict as exc:
        form.errors = {"email": str(exc)}
    if form.errors:
        return _page(request, user, session, form)
    flash(request, "success", f"{created.email} can now log in ({created.role.value}).")
    return RedirectResponse(USERS, status_code=303)


@router.post(USERS + "/{user_id:int}/password")
def reset_password(
    user_id: DbInt,
    request: Request,
    user: AdminDep,
    session: SessionDep,
    password: Annotated[str, Form(max_length=1000)] = "",
) -> RedirectResponse:
    target = next((u for u in service.list_users(session) if u.id == user_id), None)
    if target is None:
        raise InvalidInput("user", f"there is no user {user_id}")
    try:
        changed = service.set_password(session, target.email, password)  # ends that user's sessions
        if changed.id == user.id:
            log_in(request, changed.id, changed.session_generation)  # ... but not the one doing it
        flash(request, "success", f"The password of {target.email} was changed.")
    except InvalidInput as exc:
        flash(request, "error", f"The password was not changed: it {exc.message}.")
    return RedirectResponse(USERS, status_code=303)
