"""The Mailchimp page of one integration: account, audience, webhook, syncs; Force Sync, Resync, Remove.

Force Sync and Resync queue a run (``jobs.dispatch.request_sync``, its own boundary); the workers run
it and the page follows its progress, so the page only reads.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from constituent.crm.groups.service import list_groups
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import ledger, runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.jobs.dispatch import request_sync
from constituent.jobs.repository import active_run
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages import (
    mailchimp_doctor,
    mailchimp_health,
    mailchimp_left,
    mailchimp_mappings,
    mailchimp_merge_fields,
    mailchimp_runs,
    mailchimp_settings,
)
from constituent.web.pages.deps import (
    PROTECTED,
    AdminDep,
    DatabaseDep,
    PageUser,
    SettingsDep,
    UserDep,
    page_zone,
)
from constituent.web.pages.integration_view import last_sync
from constituent.web.pages.mailchimp_runs import live_status, status_response
from constituent.web.pages.rendering import flash, render
from constituent.web.pages.sync_display import CHART_RUNS, history_chart

router = APIRouter(dependencies=PROTECTED)
# The preview, run pages and error download live in their own module, served with this page.
router.include_router(mailchimp_runs.router)
router.include_router(mailchimp_left.router)
router.include_router(mailchimp_health.router)
router.include_router(mailchimp_merge_fields.router)
router.include_router(mailchimp_settings.router)
router.include_router(mailchimp_mappings.router)
router.include_router(mailchimp_doctor.router)
PAGE = "/integrations/mailchimp/{integration_id:int}"
HISTORY = 10
_BUTTONS = {RunMode.incremental: "Force Sync", RunMode.full: "Resync"}


def page_url(integration_id: DbInt) -> str:
    return f"/integrations/mailchimp/{integration_id}"


def _group_names(session: Session, integration: MailchimpIntegration) -> list[str]:
    names = {group.id: group.name for group in list_groups(session)}
    return [names[s.group_id] for s in integration.sources if s.group_id in names]


# The page's tabs: (key, path after the page's own, label). The Overview is the page itself.
TABS = (
    ("overview", "", "Overview"),
    ("content", "/content", "Audience content"),
    ("merge-fields", "/merge-fields", "Merge fields"),
    ("settings", "/settings", "Settings"),
    ("history", "/history", "History"),
)


def tab_url(integration_id: DbInt, tab: str) -> str:
    suffix = next(path for key, path, _ in TABS if key == tab)
    return page_url(integration_id) + suffix


def _tab(
    request: Request, user: PageUser, integration: MailchimpIntegration, tab: str, **context: Any
) -> HTMLResponse:
    base = {"nav": "integrations", "integration": integration, "tab": tab, "tabs": TABS}
    return render(request, "integrations/mailchimp_page.html", base | context, user=user)


@router.get(PAGE, response_class=HTMLResponse)
def mailchimp_page(
    integration_id: DbInt, request: Request, user: UserDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """Overview: the account, what is synced, the last and next sync with Force Sync, Resync, Preview."""
    integration = service.get_integration(session, integration_id)
    latest = runs.list_for_integration(session, integration_id, limit=1)
    context = {
        **live_status(session, integration, settings),
        "groups": _group_names(session, integration),
        "needs_confirmation": bool(latest) and latest[0].status == RunStatus.needs_confirmation,
        "hand_archived": ledger.count_hand_archived(session, integration.id),
    }
    return _tab(request, user, integration, "overview", **context)


@router.get(PAGE + "/content", response_class=HTMLResponse)
def content_tab(integration_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    """Audience content: which searches and groups become tags, interests or the audience itself."""
    integration = service.get_integration(session, integration_id)
    context = mailchimp_mappings.mapping_context(session, integration)
    return _tab(request, user, integration, "content", **context)


@router.get(PAGE + "/merge-fields", response_class=HTMLResponse)
def merge_fields_tab(
    integration_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> HTMLResponse:
    integration = service.get_integration(session, integration_id)
    context = mailchimp_merge_fields.merge_field_context(session, integration)
    return _tab(request, user, integration, "merge-fields", **context)


@router.get(PAGE + "/settings", response_class=HTMLResponse)
def settings_tab(integration_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    integration = service.get_integration(session, integration_id)
    return _tab(request, user, integration, "settings")


@router.get(PAGE + "/history", response_class=HTMLResponse)
def history_tab(integration_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    integration = service.get_integration(session, integration_id)
    history = runs.list_for_integration(session, integration_id, limit=CHART_RUNS)
    context = {
        "history": [(run, last_sync(run)) for run in history[:HISTORY]],
        "chart": history_chart(history, page_zone(request)),
    }
    return _tab(request, user, integration, "history", **context)


@router.get(PAGE + "/status", response_class=HTMLResponse)
def sync_status(
    integration_id: DbInt,
    request: Request,
    _user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
    was_running: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """The "last sync" panel alone: htmx polls it while a sync is queued or runs, for live progress."""
    integration = service.get_integration(session, integration_id)
    return status_response(request, session, integration, settings, was_running=was_running)


@router.post(PAGE + "/sync")
def force_sync(
    integration_id: DbInt,
    request: Request,
    _user: UserDep,
    database: DatabaseDep,
    settings: SettingsDep,
    mode: Annotated[RunMode, Form()] = RunMode.incremental,
    confirm_removals: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Queue the run (the workers run it; the page follows its progress), or point at the one
    already queued or running."""
    with database.sessions() as session:
        already = active_run(session, integration_id)
        first = not runs.has_synced(session, integration_id)
    run = request_sync(
        database,
        settings,
        integration_id,
        mode=mode,
        confirm_removals=confirm_removals,
        trigger=RunTrigger.ui,
    )
    with database.sessions() as session:
        run = runs.get(session, run.id)  # an immediate queue (memory://) has run it already
    button = "The first sync" if first else _BUTTONS[mode]
    if already is not None:
        flash(
            request, "info", f"A sync of this integration is already {run.status}; {button} shows that one."
        )
    elif run.status in (RunStatus.queued, RunStatus.running):
        flash(request, "success", f"{button} queued: it runs in the background; its progress shows below.")
    else:
        _flash_outcome(request, button, run)
    return RedirectResponse(page_url(integration_id), status_code=303)


def _flash_outcome(request: Request, button: str, run: SyncRun) -> None:
    summary = last_sync(run)
    assert summary is not None
    if run.status == RunStatus.succeeded:
        words = summary.status if run.errors else "finished"  # "finished with 3 problems"
        flash(request, "error" if run.errors else "success", f"{button} {words}: {summary.summary}.")
    elif run.status == RunStatus.needs_confirmation:
        flash(request, "error", f"{button} stopped before archiving anyone. {summary.message}")
    else:
        flash(request, "error", f"{button} {summary.status}: {run.message}")


@router.get(PAGE + "/remove", response_class=HTMLResponse)
def confirm_remove(
    integration_id: DbInt, request: Request, user: AdminDep, session: SessionDep
) -> HTMLResponse:
    integration = service.get_integration(session, integration_id)
    context = {"nav": "integrations", "integration": integration}
    return render(request, "integrations/mailchimp_remove.html", context, user=user)


@router.post(PAGE + "/remove")
def remove(
    integration_id: DbInt, request: Request, _user: AdminDep, session: SessionDep, settings: SettingsDep
) -> RedirectResponse:
    box = SecretBox.from_settings(settings)
    message = asyncio.run(service.remove(session, box, integration_id))
    flash(request, "success", message)
    return RedirectResponse("/integrations", status_code=303)
