"""``GET /healthz``: for load balancers and `make demo`; no login, and it proves the database answers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

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
