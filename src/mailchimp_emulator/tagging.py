"""Tags are static segments: one Segment per name; a member keeps the ids of its tags with the date added."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from mailchimp_emulator.state import AudienceList, Member, Segment, Store


def find_tag(audience: AudienceList, name: str) -> Segment | None:
    wanted = name.strip().lower()
    for segment in audience.segments.values():
        if segment.type == "static" and segment.name.lower() == wanted:
            return segment
    return None


def ensure_tag(store: Store, audience: AudienceList, name: str, at: datetime) -> Segment:
    existing = find_tag(audience, name)
    if existing is not None:
        return existing
    segment = Segment(store.take_web_id(), name.strip(), "static", at, at)
    audience.segments[segment.id] = segment
    return segment


def add_tags(
    store: Store, audience: AudienceList, member: Member, names: Iterable[str], at: datetime
) -> bool:
    """True when the member gained at least one tag."""
    changed = False
    for name in names:
        segment = ensure_tag(store, audience, name, at)
        changed |= add_to_segment(member, segment, at)
    return changed


def remove_tags(audience: AudienceList, member: Member, names: Iterable[str]) -> bool:
    changed = False
    for name in names:
        segment = find_tag(audience, name)
        if segment is not None:
            changed |= remove_from_segment(member, segment)
    return changed


def sync_tags(store: Store, audience: AudienceList, member: Member, names: list[str], at: datetime) -> bool:
    """Exactly these tags afterwards: the batch subscribe ``sync_tags`` behaviour."""
    keep = {ensure_tag(store, audience, name, at).id for name in names}
    dropped = [tag_id for tag_id in member.tags or {} if tag_id not in keep]
    for tag_id in dropped:
        remove_from_segment(member, audience.segments[tag_id])
    added = add_tags(store, audience, member, names, at)
    return added or bool(dropped)


def add_to_segment(member: Member, segment: Segment, at: datetime) -> bool:
    if member.tags is None:
        member.tags = {}
    if segment.id in member.tags:
        return False
    member.tags[segment.id] = at
    return True


def remove_from_segment(member: Member, segment: Segment) -> bool:
    if not member.tags or segment.id not in member.tags:
        return False
    del member.tags[segment.id]
    if not member.tags:
        member.tags = None  # an empty dict per member would cost memory across a million members
    return True
