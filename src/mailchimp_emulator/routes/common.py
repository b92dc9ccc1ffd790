"""What every route shares: reading JSON bodies as Mailchimp does, writing fast JSON, paging, finding a list.

Responses are built as plain dicts and serialised with ``json.dumps`` (no response models): a 500-member batch
answer must be ready in well under 100 ms.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import Request
from starlette.responses import Response

from mailchimp_emulator.errors import InvalidResource, JsonParseError, ResourceNotFound
from mailchimp_emulator.fields import project
from mailchimp_emulator.state import Account, AudienceList, Member, Store

T = TypeVar("T")
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
DEFAULT_COUNT = 10
MAX_COUNT = 1000


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status, media_type=JSON_CONTENT_TYPE)


def no_content() -> Response:
    return Response(status_code=204)


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def read_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object; an empty body counts as ``{}``."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonParseError() from exc
    if body is None:
        return {}  # the official SDKs send `null` for "no body"
    if not isinstance(body, dict):
        raise InvalidResource(
            "The resource submitted could not be validated.",
            [{"field": "", "message": "Schema describes object, array found instead"}],
        )
    return body


def owned_list(account: Account, list_id: str) -> AudienceList:
    audience = account.lists.get(list_id)
    if audience is None:
        raise ResourceNotFound()
    return audience


def member_or_404(audience: AudienceList, hash_or_email: str) -> Member:
    member = audience.find_member(hash_or_email)
    if member is None:
        raise ResourceNotFound()
    return member


def query_int(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidResource(f"The value of '{name}' must be an integer.") from exc
    if value < 0:
        raise InvalidResource(f"The value of '{name}' must not be negative.")
    return min(value, maximum) if maximum is not None else value


def page_bounds(request: Request) -> tuple[int, int]:
    """(offset, count) from the query, count capped at Mailchimp's 1000."""
    return query_int(request, "offset", 0), query_int(request, "count", DEFAULT_COUNT, MAX_COUNT)


def collection_response(
    request: Request,
    key: str,
    items: Sequence[T],
    render: Callable[[T], Any],
    links: list[dict[str, str]],
    **extra: Any,
) -> Response:
    """One page of a collection as Mailchimp shapes it: the page under ``key``, ``total_items``, ``_links``
    and any ``extra`` keys (``list_id``, ...), trimmed by ``fields``/``exclude_fields``."""
    offset, count = page_bounds(request)
    page = [render(item) for item in items[offset : offset + count]]
    body = {key: page, **extra, "total_items": len(items), "_links": links}
    return json_response(project(request, body))


def query_bool(request: Request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    return raw.lower() in ("true", "1", "yes")
