"""POST /3.0/lists/{list_id}: batch subscribe or update up to 500 members in one call.

Each entry succeeds or fails on its own: a refused entry (bad address, compliance, existing member without
``update_existing``) becomes an ``errors`` item, never a failure of the whole request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.auth import current_account
from mailchimp_emulator.clock import now
from mailchimp_emulator.errors import MailchimpError, invalid_field
from mailchimp_emulator.fields import project
from mailchimp_emulator.hashing import subscriber_hash
from mailchimp_emulator.member_input import MemberInput, parse_member
from mailchimp_emulator.members import create_member, update_member
from mailchimp_emulator.render import link, render_member
from mailchimp_emulator.routes.common import json_response, owned_list, query_bool, read_object
from mailchimp_emulator.state import Account, AudienceList, Member, Store
from mailchimp_emulator.tagging import add_tags, sync_tags

router = APIRouter()
MAX_MEMBERS = 500


@dataclass(frozen=True, slots=True)
class BatchOptions:
    update_existing: bool
    sync_tags: bool
    skip_duplicate_check: bool
    skip_merge_validation: bool


@dataclass(slots=True)
class BatchOutcome:
    created: list[Member] = field(default_factory=list)
    updated: list[Member] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def refuse(
        self, email: str, error: str, code: str = "ERROR_GENERIC", field: str = "", message: str = ""
    ) -> None:
        self.errors.append(
            {
                "email_address": email,
                "error": error,
                "error_code": code,
                "field": field,
                "field_message": message,
            }
        )


class EntryRefused(Exception):
    """One entry cannot be applied; carries the errors item."""

    def __init__(self, error: str, code: str = "ERROR_GENERIC", field: str = "", message: str = "") -> None:
        super().__init__(error)
        self.item = (error, code, field, message)


@router.post("/lists/{list_id}")
async def batch_subscribe(
    list_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    body = await read_object(request)
    entries = _entries(body)
    options = BatchOptions(
        update_existing=body.get("update_existing") is True,
        sync_tags=body.get("sync_tags") is True,
        skip_duplicate_check=query_bool(request, "skip_duplicate_check"),
        skip_merge_validation=query_bool(request, "skip_merge_validation"),
    )
    outcome = BatchOutcome()
    at = now()
    store: Store = request.app.state.store
    for entry in entries:
        email = str(entry.get("email_address", "")) if isinstance(entry, dict) else ""
        try:
            _apply_entry(store, audience, entry, options, outcome, at)
        except EntryRefused as refused:
            outcome.refuse(email, *refused.item)
        except MailchimpError as error:
            first = (error.errors or [{}])[0]
            outcome.refuse(
                email, error.detail, field=first.get("field", ""), message=first.get("message", "")
            )
    answer = _render(audience, outcome)
    if account.readings.write_answers_trimmed:
        answer = project(request, answer)
    return json_response(answer)


def _entries(body: dict[str, Any]) -> list[Any]:
    entries = body.get("members")
    if not isinstance(entries, list):
        raise invalid_field("members", "Required field not provided")
    if len(entries) > MAX_MEMBERS:
        message = f"You may only submit up to {MAX_MEMBERS} members at a time; {len(entries)} were sent."
        raise invalid_field("members", message)
    return entries


def _apply_entry(
    store: Store,
    audience: AudienceList,
    entry: Any,
    options: BatchOptions,
    outcome: BatchOutcome,
    at: datetime,
) -> None:
    if not isinstance(entry, dict):
        raise EntryRefused("Each member must be an object.", field="members")
    changes = parse_member(audience, entry)
    if changes.email_address is None:
        raise EntryRefused("An email address is required.", field="email_address", message="Required")
    key = subscriber_hash(changes.email_address)
    if key in outcome.seen:
        if options.skip_duplicate_check:
            return
        raise EntryRefused(f"{changes.email_address} appears more than once in this batch.")
    outcome.seen.add(key)
    existing = audience.members.get(key)
    if existing is None or _readds_archived(existing, changes, options):
        member = _create(store, audience, changes, options, at)
        outcome.created.append(member)
    else:
        _update(store, audience, existing, changes, options, at)
        outcome.updated.append(existing)


def _readds_archived(member: Member, changes: MemberInput, options: BatchOptions) -> bool:
    """Without update_existing an entry is an add, which brings an archived member back when it names a
    ``status`` (as POST does); ``status_if_new`` alone does not (the member is held). Assumed."""
    return member.status == "archived" and not options.update_existing and changes.status is not None


def _create(
    store: Store, audience: AudienceList, changes: MemberInput, options: BatchOptions, at: datetime
) -> Member:
    status = changes.status or changes.status_if_new
    if status is None:
        raise EntryRefused("A status is required for a new member.", field="status", message="Required")
    assert changes.email_address is not None
    member = create_member(
        store,
        audience,
        changes.email_address,
        status,
        changes,
        at,
        skip_merge_validation=options.skip_merge_validation,
    )
    if options.sync_tags:
        sync_tags(store, audience, member, changes.tags or [], at)
    return member


def _update(
    store: Store,
    audience: AudienceList,
    member: Member,
    changes: MemberInput,
    options: BatchOptions,
    at: datetime,
) -> None:
    if not options.update_existing:
        raise EntryRefused(
            f"{member.email_address} is already a list member, do you want to update? "
            "please provide update_existing:true in the request body",
            code="ERROR_CONTACT_EXISTS",
        )
    if member.status == "archived" and changes.status is None:
        # Held, so status_if_new does not bring it back (inferred from the single-member rule); the spec
        # never lists an archived member among updated_members, so the entry is refused (wording assumed).
        raise EntryRefused(
            f"{member.email_address} is archived; only status brings an archived contact back."
        )
    changes.email_address = None
    update_member(store, audience, member, changes, at)
    # Unlike PUT and PATCH, batch subscribe gives an existing member its entry's tags: added, or with
    # sync_tags exactly those (Mailchimp's release note of 2022-01-24; docs/MAILCHIMP-FIDELITY.md row 13).
    if options.sync_tags:
        sync_tags(store, audience, member, changes.tags or [], at)
    elif changes.tags:
        add_tags(store, audience, member, changes.tags, at)


def _render(audience: AudienceList, outcome: BatchOutcome) -> dict[str, Any]:
    return {
        "new_members": [render_member(audience, m) for m in outcome.created],
        "updated_members": [render_member(audience, m) for m in outcome.updated],
        "errors": outcome.errors,
        "total_created": len(outcome.created),
        "total_updated": len(outcome.updated),
        "error_count": len(outcome.errors),
        "_links": [link("self", f"/3.0/lists/{audience.id}"), link("parent", "/3.0/lists")],
    }
