"""Member changes with Mailchimp's rules: who may be (re)subscribed, archiving, forgetting, email changes.

The rules that matter for consent (API-NOTES §5):
- a member who unsubscribed themselves or bounced carries the hidden ``compliance`` flag and can never
  be set to ``subscribed`` through the API (400 Member In Compliance State); one unsubscribed through
  the API can;
- a permanently deleted address cannot be re-added through the API (400 Forgotten Email Not Subscribed);
- ``pending`` is always allowed and counts the confirmation email it would send;
- an archived member is still held: ``status_if_new`` does not bring it back, ``status`` (PUT) or a POST does;
- only a subscribed member may change address, and never onto an address the audience holds.
Every change fires the webhook event Mailchimp would, with the given source ("api" or "user").
"""

from __future__ import annotations

from datetime import datetime

from mailchimp_emulator import events
from mailchimp_emulator.errors import (
    VALIDATION_DETAIL,
    ForgottenEmailNotSubscribed,
    InvalidResource,
    MemberExists,
    MemberInComplianceState,
    MethodNotAllowed,
    invalid_field,
)
from mailchimp_emulator.hashing import new_hex_id, subscriber_hash
from mailchimp_emulator.member_input import MemberInput, required_merge_errors
from mailchimp_emulator.state import AudienceList, Member, Store
from mailchimp_emulator.tagging import add_tags

UNARCHIVABLE = ("cleaned", "pending", "archived")
ARCHIVE_REFUSED = (
    "This list member cannot be removed. Can not archive a contact that is bounced, pending or archived"
)
ADMIN_UNSUBSCRIBE = "N/A (Unsubscribed by an admin)"


def create_member(
    store: Store,
    audience: AudienceList,
    email: str,
    status: str,
    changes: MemberInput,
    at: datetime,
    source: str = "api",
    skip_merge_validation: bool = False,
) -> Member:
    key = subscriber_hash(email)
    held = audience.members.get(key)
    if held is not None:
        if held.status != "archived":
            raise MemberExists(email)
        return _readd_archived(store, audience, held, status, changes, at, source)
    if key in audience.forgotten and source == "api":
        raise ForgottenEmailNotSubscribed(email)
    if source == "api":
        store.readings_for(audience).refuse_if_fake(email)
    if not skip_merge_validation:
        required_merge_errors(audience, changes.merge_fields or {})
    member = Member(key, email, new_hex_id(store.rng), store.take_web_id(), "transactional", at)
    member.timestamp_signup = at if source == "user" else None
    member.source = "Hosted Signup Form" if source == "user" else "API - Generic"
    _apply_profile(store, audience, member, changes, at)
    _add_given_tags(store, audience, member, changes, at)
    audience.forgotten.discard(key)
    audience.members[key] = member
    audience.members_changed()
    if status == "transactional":
        return member
    set_status(store, audience, member, status, at, source)
    return member


def _readd_archived(
    store: Store,
    audience: AudienceList,
    member: Member,
    status: str,
    changes: MemberInput,
    at: datetime,
    source: str,
) -> Member:
    """POST on an archived address brings the same member back (id, unique_email_id, tags and merge values
    kept) with the status written; its opt-in time starts afresh."""
    if status == "subscribed" and member.compliance:
        raise MemberInComplianceState(member.email_address)
    audience.members_changed()
    _apply_profile(store, audience, member, changes, at)
    _add_given_tags(store, audience, member, changes, at)
    member.timestamp_opt = None
    set_status(store, audience, member, status, at, source)
    member.last_changed = at
    return member


def update_member(
    store: Store,
    audience: AudienceList,
    member: Member,
    changes: MemberInput,
    at: datetime,
    source: str = "api",
) -> Member:
    """PATCH, or PUT on an existing member: status only from ``status``; ``status_if_new`` and ``tags``
    are ignored."""
    if changes.status == "subscribed" and member.compliance:
        raise MemberInComplianceState(member.email_address)
    # First, so that a change refused half-way (a bad merge value) cannot leave a stale listing behind.
    audience.members_changed()
    new_email = changes.email_address
    if new_email is not None and subscriber_hash(new_email) != member.id:
        change_email(store, audience, member, new_email, at, source)
    profile_changed = _apply_profile(store, audience, member, changes, at)
    status_before = member.status
    if changes.status is not None:
        set_status(store, audience, member, changes.status, at, source)
    member.last_changed = at
    if profile_changed and member.status == status_before and store.listening(audience):
        store.emit(events.profile(audience, member, source, at))
    return member


def upsert_member(
    store: Store,
    audience: AudienceList,
    key: str,
    changes: MemberInput,
    at: datetime,
    skip_merge_validation: bool = False,
) -> tuple[Member, bool]:
    """PUT: update when present (``status_if_new`` ignored, so an archived member stays archived unless
    ``status`` is given), otherwise create the body's address with ``status_if_new``. Returns (member,
    created)."""
    member = audience.find_member(key)
    if member is not None:
        return update_member(store, audience, member, changes, at), False
    email = changes.email_address
    status = changes.status or changes.status_if_new
    if email is None or status is None:
        field = "email_address" if email is None else "status_if_new"
        raise invalid_field(field, "This value should not be blank.")
    if subscriber_hash(email) in audience.members:
        # The path names nobody but the body's address is held: the body wins, as a POST would.
        raise MemberExists(email)
    return create_member(
        store, audience, email, status, changes, at, skip_merge_validation=skip_merge_validation
    ), True


def set_status(
    store: Store,
    audience: AudienceList,
    member: Member,
    status: str,
    at: datetime,
    source: str = "api",
    reason: str = "manual",
    campaign_id: str = "",
) -> None:
    if status == member.status:
        return
    if status == "subscribed" and member.compliance:
        raise MemberInComplianceState(member.email_address)
    previous = member.status
    member.status = status
    member.last_changed = at
    audience.members_changed()
    if status == "subscribed":
        _on_subscribed(store, audience, member, at, source, previous)
    elif status == "unsubscribed":
        member.unsubscribe_reason = ADMIN_UNSUBSCRIBE if source != "user" else reason
        audience.last_unsub_date = at
        if store.listening(audience):
            store.emit(
                events.unsubscribe(audience, member, source, at, reason=reason, campaign_id=campaign_id)
            )
    elif status == "cleaned":
        member.compliance = True
        if store.listening(audience):
            store.emit(events.cleaned(audience, member, source, at, campaign_id=campaign_id))
    elif status == "pending":
        member.confirmations_sent += 1


def _on_subscribed(
    store: Store, audience: AudienceList, member: Member, at: datetime, source: str, previous: str
) -> None:
    # An API re-subscribe of someone unsubscribed keeps the original opt-in time (grouparoo's recording).
    if not (source == "api" and previous == "unsubscribed" and member.timestamp_opt is not None):
        member.timestamp_opt = at
    member.unsubscribe_reason = ""
    audience.last_sub_date = at
    if store.listening(audience):
        store.emit(events.subscribe(audience, member, source, at))


def change_email(
    store: Store, audience: AudienceList, member: Member, new_email: str, at: datetime, source: str = "api"
) -> None:
    """Re-keys the member under the new address's hash (a new unique_email_id, the same contact); the old
    address is free again afterwards. Only a subscribed member may move, and never onto a held address."""
    if member.status != "subscribed":
        raise InvalidResource(
            VALIDATION_DETAIL, [{"field": "email address", "message": status_forbids_rename(member.status)}]
        )
    new_key = subscriber_hash(new_email)
    held = audience.members.get(new_key)
    if held is not None or new_key in audience.forgotten:
        word = held_status_word(held.status if held is not None else None)
        message = f'"{new_email}" is already in this list with a status of "{word}".'
        raise InvalidResource(VALIDATION_DETAIL, [{"field": "email address", "message": message}])
    if source == "api":
        store.readings_for(audience).refuse_if_fake(new_email)
    old_email = member.email_address
    del audience.members[member.id]
    member.id = new_key
    member.email_address = new_email
    member.first_unique_email_id = member.first_unique_email_id or member.unique_email_id
    member.unique_email_id = new_hex_id(store.rng)
    member.last_changed = at
    audience.members[new_key] = member
    audience.members_changed()
    if store.listening(audience):
        store.emit(events.upemail(audience, member, old_email, source, at))


def status_forbids_rename(status: str) -> str:
    return (
        f'This member\'s status is "{status}." You can only update email addresses for members with a '
        'status of "subscribed."'
    )


def held_status_word(status: str | None) -> str:
    """The word Mailchimp puts in "already in this list with a status of": recorded are Subscribed,
    Non-Subscribed and Deleted; archived is assumed to read as Deleted, like a permanent deletion (None)."""
    if status == "subscribed":
        return "Subscribed"
    if status in (None, "archived"):
        return "Deleted"
    return "Non-Subscribed"


def archive_member(store: Store, audience: AudienceList, member: Member, at: datetime) -> None:
    if member.status in UNARCHIVABLE:
        raise MethodNotAllowed("GET, PUT", ARCHIVE_REFUSED)
    was_subscribed = member.status == "subscribed"
    member.status = "archived"
    member.last_changed = at
    audience.members_changed()
    if was_subscribed and store.listening(audience):
        store.emit(events.unsubscribe(audience, member, "api", at, action="delete"))


def forget_member(store: Store, audience: AudienceList, member: Member, at: datetime) -> None:
    """delete-permanent: the member's data is gone and the address may never be imported again."""
    del audience.members[member.id]
    audience.members_changed()
    audience.forgotten.add(member.id)
    if member.status == "subscribed" and store.listening(audience):
        store.emit(events.unsubscribe(audience, member, "api", at, action="delete"))


def _apply_profile(
    store: Store, audience: AudienceList, member: Member, changes: MemberInput, at: datetime
) -> bool:
    """Everything but email and status; True when a merge value or interest actually changed."""
    changed = False
    if changes.merge_fields:
        changed |= _merge(member, changes.merge_fields)
    if changes.interests:
        current = dict(member.interests or {})
        current.update(changes.interests)
        changed |= current != (member.interests or {})
        member.interests = {k: v for k, v in current.items() if v} or None
    for name in ("email_type", "language", "vip", "ip_signup", "timestamp_signup", "ip_opt", "timestamp_opt"):
        value = getattr(changes, name)
        if value is not None:
            setattr(member, name, value)
    return changed


def _add_given_tags(
    store: Store, audience: AudienceList, member: Member, changes: MemberInput, at: datetime
) -> None:
    """A write's ``tags``, taken only where Mailchimp takes them: by a write that creates the member (or
    re-adds an archived one), and by batch subscribe. PUT and PATCH on a member already present ignore
    them (docs/MAILCHIMP-FIDELITY.md row 14): tags change there through the tags endpoint."""
    if changes.tags:
        add_tags(store, audience, member, changes.tags, at)


def _merge(member: Member, values: dict[str, object]) -> bool:
    stored = member.merge_fields
    changed = False
    for tag, value in values.items():
        if value == "":
            changed |= stored.pop(tag, None) is not None
        elif stored.get(tag) != value:
            stored[tag] = value
            changed = True
    return changed
