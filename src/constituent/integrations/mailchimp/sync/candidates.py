"""How a saved search's members can change with no contact row changing (the candidates an incremental
run must look at besides the changed contacts): a search created or redefined since the last run, a quick
list after a settings change, or a filter that reads the calendar once a day has passed. The layout (what
becomes a tag or an interest) is ``tagging.py``'s; this module only says how its searches move.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.searches.compiler import compile_predicate
from constituent.crm.searches.filters import DaysAgo, conditions, parse_filter
from constituent.crm.searches.models import SavedSearch
from constituent.crm.searches.quick_lists import quick_list_filter
from constituent.crm.searches.repository import major_donor_threshold
from constituent.crm.searches.service import filter_of
from constituent.integrations.mailchimp.sync.desired_repository import Predicate


@dataclass(frozen=True)
class Clock:
    """The two moments an incremental run spans, and whether the organization settings changed between."""

    since: datetime
    today: date
    settings_changed: bool  # the major-donor threshold (read by a quick list) may be different


class Movement(enum.Enum):
    """How a search's members can change between two moments with no contact row changing."""

    none = "none"
    # Its filter reads the calendar and a day has passed: who crossed the line is found in SQL, by
    # evaluating the filter as it was at ``since`` and as it is now.
    calendar = "calendar"
    # Created or redefined since, or a quick list after a settings change: there is no "as it was",
    # so its members are compared with the ledger's holders of its tag.
    redefined = "redefined"


def movement(session: Session, search: SavedSearch, clock: Clock) -> Movement:
    if search.updated_at > clock.since or search.created_at > clock.since:
        return Movement.redefined
    if search.quick_list is not None and clock.settings_changed:
        return Movement.redefined
    then, now = _raw_filter(session, search, clock.since.date()), _raw_filter(session, search, clock.today)
    if then != now or (clock.since.date() != clock.today and _reads_the_calendar(now)):
        return Movement.calendar
    return Movement.none


def predicate_on(session: Session, search: SavedSearch, day: date) -> Predicate:
    """The search's filter as it reads on ``day`` (relative dates resolved against it)."""
    return compile_predicate(filter_of(session, search, day), today=day)


def both_predicates_on(session: Session, search: SavedSearch, day: date) -> tuple[Predicate, Predicate]:
    """``predicate_on``, and the same filter read once more with its subqueries tied to each contact
    (``compile_predicate(per_contact=True)``), for statements that read a slice of the contacts."""
    node = filter_of(session, search, day)
    return compile_predicate(node, today=day), compile_predicate(node, today=day, per_contact=True)


def _raw_filter(session: Session, search: SavedSearch, day: date) -> dict[str, Any]:
    if search.quick_list is None:
        return search.filter
    return quick_list_filter(search.quick_list, day, major_donor_threshold(session))


def _reads_the_calendar(raw: dict[str, Any]) -> bool:
    for cond in conditions(parse_filter(raw)):
        if any(isinstance(value, DaysAgo) for value in (cond.value, cond.date_from, cond.date_to)):
            return True
    return False
