"""The nightly schedule: each integration's run at its local ``nightly_time`` plus a fixed offset.

``enqueue_nightly(database, settings, now, handoff)`` is what the minute tick calls; the clock stays outside
(``now`` is an argument), so tests drive it to any moment. An integration is due once its night's start
(nightly_time + offset, local time) has passed today; at most one run per integration per night is
queued, because the claim is a row whose primary key (integration, night) the database keeps unique.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from constituent.crm.organization import repository as organization
from constituent.integrations.mailchimp.sync.models import RunMode, RunTrigger
from constituent.jobs import repository
from constituent.jobs.handoff import Handoff
from constituent.kit.db import session_scope
from constituent.kit.logging import get_logger
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

log = get_logger(__name__)


def offset_of(integration_id: int, spread_minutes: int) -> timedelta:
    """A fixed, well-spread offset per integration (crc32, not ``hash``: the same in every process)."""
    return timedelta(minutes=zlib.crc32(f"nightly:{integration_id}".encode()) % spread_minutes)


def night_start(night: date, nightly_time: str, offset: timedelta, zone: ZoneInfo) -> datetime:
    """When the integration's run for ``night`` is due: its local nightly time plus its offset."""
    hour, minute = (int(part) for part in nightly_time.split(":"))
    return datetime.combine(night, time(hour, minute), tzinfo=zone) + offset


def organisation_zone(session: Session) -> ZoneInfo:
    """The zone nightly times are read in: the organisation's, UTC until one is chosen."""
    org = organization.get(session)
    return ZoneInfo(org.timezone if org is not None and org.timezone else "UTC")


def due_night(nightly_time: str, offset: timedelta, zone: ZoneInfo, now: datetime) -> date | None:
    """The night whose start (local nightly_time + offset) has passed today, local time, if any.

    "Today" is the start's own local date, so an offset that carries 23:50 past midnight starts that
    night's run at 00:20 the next day, and a scheduler that was down at 02:00 catches up later the same
    day, but never runs a night that ended before the scheduler came back.
    """
    local_now = now.astimezone(zone)
    for night in (local_now.date(), local_now.date() - timedelta(days=1)):
        start = night_start(night, nightly_time, offset, zone)
        if start <= local_now and start.astimezone(zone).date() == local_now.date():
            return night
    return None


@dataclass(frozen=True)
class Queued:
    integration_id: int
    night: date
    run_id: int


def enqueue_nightly(database: Database, settings: Settings, now: datetime, handoff: Handoff) -> list[Queued]:
    """Queue the nightly run of every integration that is due and not yet claimed for that night."""
    spread = settings.nightly_spread_minutes
    with database.sessions() as session:
        zone = organisation_zone(session)
        times = repository.nightly_times(session)
        yesterday = now.astimezone(zone).date() - timedelta(days=1)
        claimed = repository.claimed_nights(session, yesterday)
    queued = []
    for integration_id, nightly_time in times:
        night = due_night(nightly_time, offset_of(integration_id, spread), zone, now)
        if night is not None and (integration_id, night) not in claimed:
            result = _claim_and_queue(database, handoff, integration_id, night, now)
            if result is not None:
                queued.append(result)
    return queued


def _claim_and_queue(
    database: Database, handoff: Handoff, integration_id: int, night: date, now: datetime
) -> Queued | None:
    """Claim the night and queue the run in one transaction; a lost race (IntegrityError) queues nothing."""
    try:
        with session_scope(database.sessions) as session:
            claim = repository.claim_night(session, integration_id, night, now)
            run, created = repository.queue_run(
                session, integration_id, mode=RunMode.incremental, trigger=RunTrigger.schedule, now=now
            )
            claim.run_id = run.id
    except IntegrityError:
        return None  # another scheduler claimed it, or a run was queued in between: next minute decides
    if created:
        handoff.hand_over(run)
    log.info("nightly run queued", integration_id=integration_id, run_id=run.id, night=night.isoformat())
    return Queued(integration_id, night, run.id)
