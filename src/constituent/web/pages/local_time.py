"""Times as a staffer reads them: in the organization's time zone, with the zone named.

Times are stored and sent by the API in UTC; only pages turn them into local time, here, so every page
and chart says "06:00 CST" the same way.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC_ZONE = "UTC"


@cache
def zone_choices() -> tuple[str, ...]:
    """The zones Settings offers, sorted: every IANA zone but the legacy aliases ("US/Eastern", "EST")."""
    legacy = ("Etc/", "SystemV/", "US/")
    places = sorted(z for z in available_timezones() if "/" in z and not z.startswith(legacy))
    return (*places, UTC_ZONE)


def zone_of(name: str | None) -> ZoneInfo:
    """The zone called ``name``; UTC when none was chosen or the name is unknown on this machine."""
    try:
        return ZoneInfo(name or UTC_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(UTC_ZONE)


def zone_label(value: datetime) -> str:
    """The zone's abbreviation when it has letters ("CST", "CEST"), else its place ("America/Sao Paulo"),
    since an offset such as "-03" names nothing."""
    abbreviation = value.tzname() or ""
    if any(ch.isalpha() for ch in abbreviation):
        return abbreviation
    return f"({str(value.tzinfo).replace('_', ' ')})"


def local_time(value: datetime | None, zone: ZoneInfo) -> str:
    """``2026-01-15 06:00 CST``; a dash for no time."""
    if value is None:
        return "—"
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local)}"
