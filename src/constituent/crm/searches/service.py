"""Saved searches: create, change, run; which smart groups a contact is in. Never commits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from constituent.crm.errors import Conflict, InvalidInput, NotFound
from constituent.crm.searches import repository
from constituent.crm.searches.compiler import compile_filter, compile_predicate
from constituent.crm.searches.filters import Condition, FilterError, Node, conditions, parse_filter, size_of
from constituent.crm.searches.models import SavedSearch
from constituent.crm.searches.quick_lists import ensure_quick_lists, quick_list_filter
from constituent.crm.searches.schemas import SavedSearchCreate, SavedSearchUpdate, SearchResult
from constituent.integrations.mailchimp.sync import member_status

# How many searches one SELECT evaluates for a single contact (SQLite allows 2000 result columns).
PREDICATES_PER_QUERY = 200
PARAMETERS_PER_QUERY = 20_000


def create_search(session: Session, data: SavedSearchCreate) -> SavedSearch:
    name = _clean_name(data.name)
    _validate_filter(session, data.filter)
    if repository.get_by_name(session, name) is not None:
        raise Conflict(f"a saved search named {name!r} already exists")
    search = SavedSearch(name=name, description=data.description, filter=data.filter)
    return repository.add(session, search)


def get_search(session: Session, search_id: int) -> SavedSearch:
    search = repository.get(session, search_id)
    if search is None:
        raise NotFound("saved search", search_id)
    return search


def list_searches(session: Session, *, today: date) -> Sequence[SavedSearch]:
    """Every saved search, quick lists first (created here if this database lacks them)."""
    ensure_quick_lists(session, today)
    return repository.list_all(session)


def update_search(session: Session, search_id: int, data: SavedSearchUpdate) -> SavedSearch:
    search = get_search(session, search_id)
    if data.filter is not None:
        if search.is_quick_list:
            raise Conflict(f"{search.name!r} is a built-in quick list; its filter cannot be edited")
        _validate_filter(session, data.filter)
        search.filter = data.filter
    if data.name is not None:
        name = _clean_name(data.name)
        other = repository.get_by_name(session, name)
        if other is not None and other.id != search.id:
            raise Conflict(f"a saved search named {name!r} already exists")
        search.name = name
    if data.description is not None:
        search.description = data.description
    session.flush()
    return search


def delete_search(session: Session, search_id: int) -> None:
    search = get_search(session, search_id)
    if search.is_quick_list:
        raise Conflict(f"{search.name!r} is a built-in quick list and cannot be deleted")
    repository.delete(session, search)


def run_search(
    session: Session, search_id: int, today: date, *, limit: int | None = None, offset: int = 0
) -> SearchResult:
    """The matching contact ids (ascending, paged by ``limit``/``offset``) and how many match in all."""
    search = get_search(session, search_id)
    # One query for both the page and the count: counting separately would cost a second evaluation.
    ids = repository.matching_ids(session, compile_filter(filter_of(session, search, today), today=today))
    page = ids[offset:] if limit is None else ids[offset : offset + limit]
    return SearchResult(search_id=search.id, count=len(ids), contact_ids=page)


def matching_query(session: Session, search_id: int, today: date) -> Select[int]:
    """The search's matching contact ids as a query (an export streams them instead of listing them)."""
    repository.make_room_for_subqueries(session)
    return compile_filter(filter_of(session, get_search(session, search_id), today), today=today)


def matching_searches_for_contact(session: Session, contact_id: int, today: date) -> list[SavedSearch]:
    """The saved searches (smart groups) this one contact matches, each evaluated for it alone."""
    searches = list_searches(session, today=today)
    matched: list[SavedSearch] = []
    usable = [(search, node) for search, node in _filters(session, searches, today) if node is not None]
    for chunk in _chunks(usable):
        predicates = [compile_predicate(node, today=today, contact_id=contact_id) for _, node in chunk]
        truths = repository.truths_for_contact(session, contact_id, predicates)
        if truths is None:
            raise NotFound("contact", contact_id)
        matched += [search for (search, _), truth in zip(chunk, truths, strict=True) if truth]
    return matched


def evaluate_all(session: Session, today: date) -> dict[int, set[int]]:
    """Every saved search's members: {search id: contact ids}; a search beyond the size limit is left out."""
    return {
        search.id: set(repository.matching_ids(session, compile_filter(node, today=today)))
        for search, node in _filters(session, list_searches(session, today=today), today)
        if node is not None
    }


def _filters(
    session: Session, searches: Sequence[SavedSearch], today: date
) -> Iterator[tuple[SavedSearch, Node | None]]:
    """Each search with its parsed filter, or None for one stored before it became invalid (e.g. one
    beyond the size limit): that search is left out, so it never breaks the evaluation of the others."""
    for search in searches:
        try:
            yield search, filter_of(session, search, today)
        except FilterError:
            yield search, None


def filter_of(session: Session, search: SavedSearch, today: date) -> Node:
    if search.quick_list is not None:
        threshold = repository.major_donor_threshold(session)
        return parse_filter(quick_list_filter(search.quick_list, today, threshold))
    return parse_filter(search.filter)


def _validate_filter(session: Session, raw: dict[str, Any]) -> None:
    """Parse the filter and check the groups and audiences it names exist, so a typo is caught when saving."""
    for cond in conditions(parse_filter(raw)):
        if cond.field.name == "in_group":
            _check_groups_exist(session, cond)
        if cond.audience is not None and not member_status.existing_integration_ids(session, [cond.audience]):
            raise FilterError(
                f"{cond.path}.audience".lstrip("."), f"there is no Mailchimp audience {cond.audience}"
            )


def _check_groups_exist(session: Session, cond: Condition) -> None:
    listed = isinstance(cond.value, tuple)
    group_ids = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    known = repository.existing_group_ids(session, [g for g in group_ids if isinstance(g, int)])
    for index, group_id in enumerate(group_ids):
        if group_id not in known:
            path = f"{cond.path}.value" + (f"[{index}]" if listed else "")
            raise FilterError(path.lstrip("."), f"there is no group with id {group_id}")


def _check_audience_exists(session: Session, cond: Condition, audience: int) -> None:
    if not member_status.existing_integration_ids(session, [audience]):
        path = f"{cond.path}.audience".lstrip(".")
        raise FilterError(path, f"there is no Mailchimp audience with integration id {audience}")


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput("name", "a saved search needs a name")
    return cleaned


def _chunks(items: Sequence[tuple[SavedSearch, Node]]) -> Iterator[list[tuple[SavedSearch, Node]]]:
    """Searches in groups one SELECT can hold: at most PREDICATES_PER_QUERY of them, and few enough
    values that the statement stays under SQLite's 32,766 parameters (every search may hold 1,000)."""
    chunk: list[tuple[SavedSearch, Node]] = []
    weight = 0
    for item in items:
        conditions_, values = size_of(item[1])
        cost = 2 * conditions_ + values + 2
        if chunk and (len(chunk) == PREDICATES_PER_QUERY or weight + cost > PARAMETERS_PER_QUERY):
            yield chunk
            chunk, weight = [], 0
        chunk.append(item)
        weight += cost
    if chunk:
        yield chunk
