"""The Mailchimp page's sync extras: a dry-run preview of the next sync with its per-contact diff, the
live status panel (progress of a queued or running sync), and a run's error report as CSV."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from constituent.crm.contacts import repository as contacts
from constituent.crm.errors import NotFound
from constituent.crm.organization import repository as organization
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.error_report import attachment_headers, errors_csv
from constituent.integrations.mailchimp.sync.models import RunMode, RunTrigger, SyncRun
from constituent.integrations.mailchimp.sync.plan_report import ReportRow
from constituent.jobs.dispatch import request_sync
from constituent.jobs.schedule import offset_of
from constituent.kit.clock import utcnow
from constituent.kit.numbers import DbInt
from constituent.kit.settings import Settings
from constituent.web.deps import SessionDep
from constituent.web.pages import contact_mailchimp
from constituent.web.pages.deps import PROTECTED, DatabaseDep, SettingsDep, UserDep
from constituent.web.pages.integration_view import view_of
from constituent.web.pages.rendering import render
from constituent.web.pages.sync_display import CHART_RUNS, guard_stopped, next_nightly, progress_of

router = APIRouter(dependencies=PROTECTED)
# The contact's Mailchimp panel is served with the other Mailchimp pages (all reach web/pages/__init__.py
# through mailchimp_page's router).
router.include_router(contact_mailchimp.router)
PAGE = "/integrations/mailchimp/{integration_id:int}"
RUN = PAGE + "/runs/{run_id:int}"
PREVIEW_PAGE_SIZE = 50
ACTIONS = ("add", "update", "change email", "tags", "archive", "refuse")


def live_status(session: Session, integration: MailchimpIntegration, settings: Settings) -> dict[str, Any]:
    """What the status panel needs: the integration's view and the progress of its latest run."""
    org = organization.get(session)
    offset = offset_of(integration.id, settings.nightly_spread_minutes)
    return {
        "view": view_of(session, integration, settings),
        "progress": progress_of(runs.latest_for_integration(session, integration.id)),
        "guard_stopped": guard_stopped(runs.list_for_integration(session, integration.id, limit=CHART_RUNS)),
        "next_sync": next_nightly(integration.nightly_time, offset, org.timezone if org else "UTC", utcnow()),
        # Nothing is sent, nightly included, until the admin starts the first sync.
        "awaiting_first_sync": not runs.has_synced(session, integration.id),
    }


def status_response(
    request: Request,
    session: Session,
    integration: MailchimpIntegration,
    settings: Settings,
    *,
    was_running: bool,
) -> HTMLResponse:
    """The status panel alone (htmx polls it). When a run it was following has finished, the whole page
    is reloaded instead, so the history, chart and outcome appear without polling forever."""
    context = live_status(session, integration, settings)
    response = render(request, "integrations/_sync_status.html", context)
    if was_running and context["progress"] is None:
        response.headers["HX-Refresh"] = "true"
    return response


def _run_of(session: Session, integration_id: DbInt, run_id: DbInt) -> SyncRun:
    run = runs.get(session, run_id)
    if run.integration_id != integration_id:
        raise NotFound("sync run", run_id)
    return run


@router.post(PAGE + "/preview")
def start_preview(
    integration_id: DbInt,
    _user: UserDep,
    database: DatabaseDep,
    settings: SettingsDep,
    action: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    """Queue a dry run of the next Force Sync: nothing is written to Mailchimp. Removals are confirmed
    for the preview (it writes nothing), so whoever the removal guard would stop for is listed too."""
    run = request_sync(
        database,
        settings,
        integration_id,
        mode=RunMode.incremental,
        trigger=RunTrigger.ui,
        dry_run=True,
        confirm_removals=True,
    )
    # "See who would be archived" (the removal guard's message) opens the preview on the archives.
    only = f"?action={quote(action)}" if action in ACTIONS else ""
    return RedirectResponse(
        f"/integrations/mailchimp/{integration_id}/runs/{run.id}/preview{only}", status_code=303
    )


@router.get(RUN + "/preview", response_class=HTMLResponse)
def preview(
    integration_id: DbInt,
    run_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    action: Annotated[str, Query(max_length=20)] = "",
    address: Annotated[str, Query(max_length=320)] = "",
) -> HTMLResponse:
    """Every change of the dry run, a page at a time; the filters (kind of change, part of the address)
    apply to the whole list, in the database."""
    integration = service.get_integration(session, integration_id)
    run = _run_of(session, integration_id, run_id)
    if run.finished_at is None:
        # Still queued or running: the live status panel follows it and reloads this page at the end.
        context = {"nav": "integrations", "integration": integration, "run": run}
        context |= live_status(session, integration, settings)
        return render(request, "integrations/sync_preview_waiting.html", context, user=user)
    action = action if action in ACTIONS else ""
    matching = runs.report_matching(session, run.id, action=action, address=address)
    kept = matching if not (action or address) else runs.report_matching(session, run.id)
    start = (page - 1) * PREVIEW_PAGE_SIZE
    filters = {"action": action, "address": address}
    shown = runs.report_of(session, run.id, limit=PREVIEW_PAGE_SIZE, offset=start, **filters)
    context = {
        "nav": "integrations",
        "integration": integration,
        "run": run,
        "planned": runs.planned_counts(run),
        "report_total": runs.report_total_of(run),
        "replaced": runs.report_total_of(run) > 0 and kept == 0,
        "notices": runs.notices_of(run),
        "rows": shown,
        "names": _names(session, shown),
        "matching": matching,
        "page": page,
        "pages": max(1, -(-matching // PREVIEW_PAGE_SIZE)),
        "address": address,
        "query": urlencode({k: v for k, v in (("action", action), ("address", address)) if v}),
        "action": action,
        "page_size": PREVIEW_PAGE_SIZE,
        "actions": ACTIONS,
    }
    return render(request, "integrations/sync_preview.html", context, user=user)


def _names(session: Session, rows: list[ReportRow]) -> dict[int, str]:
    """The display names of the contacts on one page of the preview (a contact may be gone since)."""
    found = (contacts.get(session, contact_id) for row in rows for contact_id in row.contact_ids)
    return {contact.id: contact.display_name for contact in found if contact is not None}


@router.get(RUN + "/errors.csv", response_class=Response)
def download_errors(integration_id: DbInt, run_id: DbInt, _user: UserDep, session: SessionDep) -> Response:
    _run_of(session, integration_id, run_id)
    return Response(errors_csv(session, run_id), media_type="text/csv", headers=attachment_headers(run_id))
