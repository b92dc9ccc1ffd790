"""``GET /metrics`` for Prometheus: a Bearer API token (any active one: give the scraper its own user)
or an administrator's browser session. Numbers only, no names or addresses.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from constituent.auth import repository as users
from constituent.auth.models import Role
from constituent.auth.service import authenticate_token
from constituent.jobs import repository
from constituent.jobs.repository import ACTIVE
from constituent.kit import metrics
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.web.deps import database
from constituent.web.sessions import logged_in_user_id

router = APIRouter()


def _allowed(request: Request, db: Database) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    with session_scope(db.sessions) as session:
        if scheme.lower() == "bearer" and token:
            return authenticate_token(session, token.strip()) is not None
        user_id = logged_in_user_id(request) if "session" in request.scope else None
        user = users.get_user(session, user_id) if user_id is not None else None
        return user is not None and user.is_active and user.role == Role.admin


def _computed(db: Database) -> Iterable[Metric]:
    with db.sessions() as session:
        by_status = repository.runs_by_outcome(session)
        written = repository.members_written(session)
        depth = repository.inbox_depth(session)
    runs = CounterMetricFamily("constituent_sync_runs", "Finished sync runs by outcome.", labels=["outcome"])
    active = GaugeMetricFamily(
        "constituent_sync_runs_active", "Sync runs queued or running.", labels=["status"]
    )
    for state, count in sorted(by_status.items()):
        (active if state in ACTIVE else runs).add_metric([state], count)
    members = CounterMetricFamily("constituent_members_synced", "Members created or updated in Mailchimp.")
    members.add_metric([], written)
    inbox = GaugeMetricFamily("constituent_webhook_inbox_depth", "Webhook deliveries not processed yet.")
    inbox.add_metric([], depth)
    return [runs, active, members, inbox]


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(request: Request) -> Response:
    db = database(request)
    if not _allowed(request, db):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a Bearer API token or an administrator's session",
            {"WWW-Authenticate": "Bearer"},
        )
    return Response(metrics.render(lambda: _computed(db)), media_type=metrics.CONTENT_TYPE)
