"""Reading a report page by page: a few pages in flight, each handed on in order (so a cursor stays true)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from constituent.integrations.mailchimp.client import MailchimpClient

WINDOW = 5  # pages in flight at once (the client caps connections per account at 10)

# Called with each page's body, its offset and the collection's total_items, in page order.
PageHandler = Callable[[dict[str, Any], int, int], None]


async def read_pages(
    client: MailchimpClient,
    path: str,
    params: Mapping[str, Any],
    *,
    start: int,
    page_size: int,
    on_page: PageHandler,
) -> None:
    """GET ``path`` from offset ``start`` to the end, ``page_size`` (≤ 1000) at a time."""

    async def page(offset: int) -> dict[str, Any]:
        query = {**params, "count": page_size, "offset": offset}
        body: dict[str, Any] = await client.request("GET", path, params=query)
        return body

    first = await page(start)
    total = int(first.get("total_items", 0))
    on_page(first, start, total)
    offsets = list(range(start + page_size, total, page_size))
    for at in range(0, len(offsets), WINDOW):
        window = offsets[at : at + WINDOW]
        for offset, body in zip(window, await asyncio.gather(*(page(o) for o in window)), strict=True):
            on_page(body, offset, total)
