"""Removing our tags from members through static segments (a tag is a static segment in Mailchimp):
one ``members_to_remove`` call per tag and 500 addresses, instead of one request per member."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.responses import SegmentMembersResult, SegmentsPage
from constituent.integrations.mailchimp.sync.types import RemoveTag

MAX_EMAILS = 500


@dataclass(frozen=True)
class RemovalCall:
    tag: str
    segment_id: int | None  # None: the tag no longer exists in Mailchimp, so no member carries it
    removals: tuple[RemoveTag, ...]


def tag_key(name: str) -> str:
    # Mailchimp treats tag names case-insensitively ("A tag named … already exists").
    return name.strip().casefold()


async def static_segment_ids(client: MailchimpClient, audience_id: str) -> dict[str, int]:
    """Tag name (case-folded) → static segment id."""
    path = f"/lists/{audience_id}/segments"
    fields = "segments.id,segments.name"
    segments = await client.collect(path, SegmentsPage, params={"type": "static"}, fields=fields)
    return {tag_key(segment.name): segment.id for segment in segments}


def removal_calls(removals: Iterable[RemoveTag], segment_ids: dict[str, int]) -> list[RemovalCall]:
    by_tag: dict[str, list[RemoveTag]] = {}
    for op in removals:
        by_tag.setdefault(op.tag, []).append(op)
    calls = []
    for tag, ops in by_tag.items():
        segment_id = segment_ids.get(tag_key(tag))
        for start in range(0, len(ops), MAX_EMAILS):
            calls.append(RemovalCall(tag, segment_id, tuple(ops[start : start + MAX_EMAILS])))
    return calls


async def remove_members(client: MailchimpClient, audience_id: str, call: RemovalCall) -> None:
    if call.segment_id is None:
        return
    body = {"members_to_remove": [op.email for op in call.removals]}
    await client.send_model(
        "POST", f"/lists/{audience_id}/segments/{call.segment_id}", SegmentMembersResult, body
    )
