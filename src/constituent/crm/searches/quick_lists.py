"""The built-in quick lists every database has.

Each one is a ``SavedSearch`` row (so it has an id, can become a Mailchimp tag, shows among a contact's
smart groups) whose filter is rebuilt from its key on every evaluation: "last 90 days" and "last
year" move with ``today``, and the major-donor threshold follows the organization settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.searches import repository
from constituent.crm.searches.models import SavedSearch

FilterJSON = dict[str, Any]


@dataclass(frozen=True)
class QuickList:
    key: str
    name: str
    description: str
    build: Callable[[date, Decimal], FilterJSON]


def _new_contacts(_today: date, _threshold: Decimal) -> FilterJSON:
    return {"field": "created_at", "op": "gte", "value": {"days_ago": 30}}


def _donors(_today: date, _threshold: Decimal) -> FilterJSON:
    return {"field": "gift_count", "op": "gte", "value": 1}


def _recent_donors(_today: date, _threshold: Decimal) -> FilterJSON:
    return {"field": "last_gift_date", "op": "gte", "value": {"days_ago": 90}}


def _lapsed_donors(today: date, _threshold: Decimal) -> FilterJSON:
    last_year, this_year = date(today.year - 1, 1, 1), date(today.year, 1, 1)
    gave_last_year = {
        "field": "gift_count",
        "op": "gte",
        "value": 1,
        "from": last_year.isoformat(),
        "to": date(today.year - 1, 12, 31).isoformat(),
    }
    gave_this_year = {"field": "gift_count", "op": "gte", "value": 1, "from": this_year.isoformat()}
    return {"all": [gave_last_year, {"not": gave_this_year}]}


def _major_donors(_today: date, threshold: Decimal) -> FilterJSON:
    return {"field": "total_given", "op": "gte", "value": str(threshold)}


QUICK_LISTS: dict[str, QuickList] = {
    quick.key: quick
    for quick in (
        QuickList("new_contacts", "New contacts", "Added in the last 30 days.", _new_contacts),
        QuickList("donors", "Donors", "Gave at least once.", _donors),
        QuickList("recent_donors", "Recent donors", "Gave in the last 90 days.", _recent_donors),
        QuickList(
            "lapsed_donors", "Lapsed donors", "Gave last calendar year, not this year.", _lapsed_donors
        ),
        QuickList(
            "major_donors", "Major donors", "Gave in total at least the major-donor threshold.", _major_donors
        ),
    )
}


def quick_list_filter(key: str, today: date, threshold: Decimal) -> FilterJSON:
    return QUICK_LISTS[key].build(today, threshold)


def ensure_quick_lists(session: Session, today: date) -> list[SavedSearch]:
    """Create the quick lists this database lacks (the caller commits); return the ones created."""
    present = repository.quick_list_keys(session)
    threshold = repository.major_donor_threshold(session)
    created = []
    for quick in QUICK_LISTS.values():
        if quick.key in present:
            continue
        values = {
            "name": _free_name(session, quick.name),
            "description": quick.description,
            "filter": quick.build(today, threshold),
            "quick_list": quick.key,
        }
        search = repository.add_unless_taken(session, values)
        if search is not None:
            created.append(search)
    return created


def _free_name(session: Session, name: str) -> str:
    # Someone may already have a search of their own called "Donors"; theirs keeps its name.
    if repository.get_by_name(session, name) is None:
        return name
    return f"{name} (quick list)"
