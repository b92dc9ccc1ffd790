"""``GET /healthz`` (the process is up and the database answers) and ``GET /readyz`` (the database and
the job queue both answer: ready to take work). No login: both say only "ok" or which part failed, by
kind, never a URL or a message that could carry a host name or credential."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from constituent.kit.settings import Settings
from constituent.web.deps import database

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> JSONResponse:
    try:
        with database(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return JSONResponse(status_code=503, content={"status": "error", "database": type(exc).__name__})
    return JSONResponse(content={"status": "ok", "database": "ok"})


def _queue_answers(request: Request) -> str:
    from constituent.jobs.registry import queue_problem  # the web app loads the queue only when asked

    settings: Settings = request.app.state.settings
    return queue_problem(settings) or "ok"


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> JSONResponse:
    checks = {"database": "ok", "queue": _queue_answers(request)}
    try:
        with database(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        checks["database"] = type(exc).__name__
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        status_code=200 if ready else 503, content={"status": "ok" if ready else "error", **checks}
    )
