"""/3.0/lists/{list_id}/members: list (filters, paging, fields), add, upsert, update, archive, forget."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.auth import current_account
from mailchimp_emulator.clock import now
from mailchimp_emulator.errors import InvalidResource, invalid_field
from mailchimp_emulator.fields import project
from mailchimp_emulator.member_input import parse_member
from mailchimp_emulator.members import (
    archive_member,
    create_member,
    forget_member,
    update_member,
    upsert_member,
)
from mailchimp_emulator.render import link, render_member
from mailchimp_emulator.routes.common import (
    collection_response,
    json_response,
    member_or_404,
    no_content,
    owned_list,
    query_bool,
    read_object,
    store_of,
)
from mailchimp_emulator.state import ALL_STATUSES, Account, AudienceList, Member

router = APIRouter()
MEMBERS = "/lists/{list_id}/members"
MEMBER = MEMBERS + "/{subscriber_hash}"
PATCH_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending")
MAX_LISTINGS = 16
# Every query parameter the listing filters or sorts by: the key of its cache.
LISTING_PARAMS = (
    "status",
    "since_last_changed",
    "before_last_changed",
    "since_timestamp_opt",
    "before_timestamp_opt",
    "unique_email_id",
    "vip_only",
    "sort_field",
    "sort_dir",
)
SORT_KEYS: dict[str, Callable[[Member], datetime]] = {
    "last_changed": lambda m: m.last_changed,
    "timestamp_opt": lambda m: m.timestamp_opt or datetime.min.replace(tzinfo=m.last_changed.tzinfo),
    "timestamp_signup": lambda m: m.timestamp_signup or datetime.min.replace(tzinfo=m.last_changed.tzinfo),
}


@router.get(MEMBERS)
async def get_members(
    list_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    chosen = _listing(request, audience, account.readings.listing_includes_archived)
    links = [link("self", f"/3.0/lists/{audience.id}/members")]
    return collection_response(
        request, "members", chosen, lambda m: render_member(audience, m), links, list_id=audience.id
    )


@router.post(MEMBERS)
async def post_member(
    list_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    changes = parse_member(audience, await read_object(request))
    if changes.email_address is None or changes.status is None:
        missing = "email_address" if changes.email_address is None else "status"
        raise invalid_field(missing, "This value should not be blank.")
    member = create_member(
        store_of(request),
        audience,
        changes.email_address,
        changes.status,
        changes,
        now(),
        skip_merge_validation=query_bool(request, "skip_merge_validation"),
    )
    return json_response(render_member(audience, member))


@router.get(MEMBER)
async def get_member(
    list_id: str, subscriber_hash: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    return json_response(project(request, render_member(audience, member_or_404(audience, subscriber_hash))))


@router.put(MEMBER)
async def put_member(
    list_id: str, subscriber_hash: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    changes = parse_member(audience, await read_object(request))
    skip = query_bool(request, "skip_merge_validation")
    member, _ = upsert_member(store_of(request), audience, subscriber_hash, changes, now(), skip)
    return json_response(render_member(audience, member))


@router.patch(MEMBER)
async def patch_member(
    list_id: str, subscriber_hash: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    member = member_or_404(audience, subscriber_hash)
    changes = parse_member(audience, await read_object(request), statuses=PATCH_STATUSES)
    update_member(store_of(request), audience, member, changes, now())
    return json_response(render_member(audience, member))


@router.delete(MEMBER)
async def archive(
    list_id: str, subscriber_hash: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    archive_member(store_of(request), audience, member_or_404(audience, subscriber_hash), now())
    return no_content()


@router.post(MEMBER + "/actions/delete-permanent")
async def delete_permanent(
    list_id: str, subscriber_hash: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    forget_member(store_of(request), audience, member_or_404(audience, subscriber_hash), now())
    return no_content()


def _listing(request: Request, audience: AudienceList, includes_archived: bool) -> list[Member]:
    """The filtered, sorted members, computed once per query while the audience's members stay the same
    (a client paging through 686,000 members asks for the same query 686 times)."""
    key = (*(request.query_params.get(name) for name in LISTING_PARAMS), str(includes_archived))
    chosen = audience.listings.get(key)
    if chosen is None:
        chosen = _sorted(request, _filtered(request, audience, includes_archived))
        if len(audience.listings) >= MAX_LISTINGS:
            audience.listings.clear()  # many different queries and no change between them: start afresh
        audience.listings[key] = chosen
    return chosen


def _filtered(request: Request, audience: AudienceList, includes_archived: bool) -> Iterable[Member]:
    query = request.query_params
    status = query.get("status")
    members: Iterable[Member] = audience.members.values()
    if status:
        if status not in ALL_STATUSES:
            raise InvalidResource(f"The status '{status}' is not one of: {', '.join(ALL_STATUSES)}.")
        members = audience.member_index().with_status(status)
    elif not includes_archived:
        # The safer reading of the real listing: archived members only when asked for by status.
        members = (m for m in members if m.status != "archived")
    since, before = _moment(query.get("since_last_changed")), _moment(query.get("before_last_changed"))
    if since is not None:
        members = (m for m in members if m.last_changed >= since)
    if before is not None:
        members = (m for m in members if m.last_changed < before)
    opted_since = _moment(query.get("since_timestamp_opt"))
    opted_before = _moment(query.get("before_timestamp_opt"))
    # A member who never opted in (no timestamp_opt) matches neither bound.
    if opted_since is not None:
        members = (m for m in members if m.timestamp_opt is not None and m.timestamp_opt >= opted_since)
    if opted_before is not None:
        members = (m for m in members if m.timestamp_opt is not None and m.timestamp_opt < opted_before)
    if query.get("unique_email_id"):
        members = (m for m in members if m.unique_email_id == query["unique_email_id"])
    if query_bool(request, "vip_only"):
        members = (m for m in members if m.vip)
    return members


def _sorted(request: Request, members: Iterable[Member]) -> list[Member]:
    field = request.query_params.get("sort_field")
    chosen = list(members)
    if field is None:
        return chosen
    key = SORT_KEYS.get(field)
    if key is None:
        raise InvalidResource(f"sort_field must be one of: {', '.join(SORT_KEYS)}.")
    return sorted(chosen, key=key, reverse=request.query_params.get("sort_dir", "ASC").upper() == "DESC")


def _moment(raw: str | None) -> datetime | None:
    if not raw:
        return None
    text = raw.strip().replace("Z", "+00:00")
    # An unencoded "+00:00" in a query string arrives as " 00:00".
    text = text.replace(" ", "+") if "T" in text else text.replace(" ", "T", 1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidResource(f"'{raw}' is not a valid date and time (ISO 8601).") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=now().tzinfo)
