"""Syncs to Mailchimp: start one, follow runs, read and download their errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.error_report import attachment_headers, errors_csv
from constituent.integrations.mailchimp.sync.models import RunTrigger
from constituent.integrations.mailchimp.sync.schemas import RunDetail, RunErrorOut, RunOut, SyncRequest
from constituent.jobs.dispatch import request_sync
from constituent.kit.numbers import DbInt
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.web.deps import SessionDep

router = APIRouter(tags=["sync"])


@router.post(
    "/integrations/mailchimp/{integration_id}/sync",
    response_model=RunDetail,
    status_code=202,
    responses={200: {"model": RunDetail, "description": "The run already finished (immediate queue)."}},
)
def start_sync(
    integration_id: DbInt, body: SyncRequest, request: Request, response: Response, session: SessionDep
) -> RunDetail:
    """Queue a sync (incremental = Force Sync, at high priority; full = Resync) and answer 202 with the
    queued run; follow it at GET /sync-runs/{run_id}. While a run of this integration is queued or
    running, that run is answered instead of starting another."""
    get_integration(session, integration_id)
    # request_sync is its own boundary: end this request's transaction first so it holds no lock.
    session.commit()
    database: Database = request.app.state.database
    settings: Settings = request.app.state.settings
    run = request_sync(
        database,
        settings,
        integration_id,
        mode=body.mode,
        dry_run=body.dry_run,
        confirm_removals=body.confirm_removals,
        trigger=RunTrigger.api,
    )
    detail = _detail(session, run.id)
    if detail.status not in ("queued", "running"):
        response.status_code = 200
    return detail


@router.get("/integrations/mailchimp/{integration_id}/runs", response_model=list[RunOut])
def list_runs(
    integration_id: DbInt,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Newest first.")] = 50,
) -> list[RunOut]:
    get_integration(session, integration_id)
    listed = runs.list_for_integration(session, integration_id, limit=limit)
    return [RunOut.full(run, runs.report_of(session, run.id)) for run in listed]


@router.get("/sync-runs/{run_id}", response_model=RunDetail)
def get_run(run_id: DbInt, session: SessionDep) -> RunDetail:
    return _detail(session, run_id)


@router.get(
    "/sync-runs/{run_id}/errors.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One line per member not written."}},
)
def download_errors(run_id: DbInt, session: SessionDep) -> Response:
    runs.get(session, run_id)
    return Response(errors_csv(session, run_id), media_type="text/csv", headers=attachment_headers(run_id))


def _detail(session: SessionDep, run_id: DbInt) -> RunDetail:
    run = runs.get(session, run_id)
    errors = [RunErrorOut.of(e) for e in runs.errors_of(session, run_id)]
    full = RunOut.full(run, runs.report_of(session, run.id))
    return RunDetail(**full.model_dump(), member_errors=errors)
