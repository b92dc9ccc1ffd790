"""The control API under /_emulator: not part of Mailchimp. Tests, demos and benchmarks use it to create
accounts, act as a real person would (unsubscribe from a link, bounce, change email), inject faults, look
inside.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from mailchimp_emulator import persistence, person_actions
from mailchimp_emulator.clock import now
from mailchimp_emulator.config import EmulatorConfig
from mailchimp_emulator.errors import InvalidResource, ResourceNotFound
from mailchimp_emulator.limits import Faults, Limits
from mailchimp_emulator.readings import parse_readings
from mailchimp_emulator.render import iso, member_tags, merge_values
from mailchimp_emulator.routes.common import json_response, member_or_404, no_content, read_object, store_of
from mailchimp_emulator.state import PLANS, Account, AudienceList, Member, Store

PREFIX = "/_emulator"
router = APIRouter()


def _limits(request: Request) -> Limits:
    limits: Limits = request.app.state.limits
    return limits


@router.post("/accounts")
async def create_account(request: Request) -> Response:
    body = await read_object(request)
    plan = body.get("plan", "monthly")
    if plan not in PLANS:
        raise InvalidResource(
            f"plan must be one of {', '.join(PLANS)}", [{"field": "plan", "message": "unknown plan"}]
        )
    max_audiences = body.get("max_audiences")
    if max_audiences is not None and (not isinstance(max_audiences, int) or max_audiences < 0):
        raise InvalidResource("max_audiences must be a non-negative integer")
    config: EmulatorConfig = request.app.state.config
    account = store_of(request).create_account(
        plan,
        now(),
        dc=config.dc,
        max_audiences=max_audiences,
        login=str(body.get("login", "")),
        password=str(body.get("password", "")),
        account_name=str(body.get("account_name", "Emulated Account")),
    )
    return json_response({"account_id": account.id, "api_key": account.api_key, "dc": account.dc})


@router.put("/faults")
async def set_faults(request: Request) -> Response:
    body = await read_object(request)
    faults = _parse_faults(body)
    _limits(request).faults = faults
    return json_response(faults.as_json())


@router.get("/faults")
async def get_faults(request: Request) -> Response:
    return json_response(_limits(request).faults.as_json())


@router.put("/accounts/{account_id}/readings")
async def set_readings(account_id: str, request: Request) -> Response:
    """How this account's Mailchimp reads where the real one is only probably known (see readings.py)."""
    account = _account(store_of(request), account_id)
    account.readings = parse_readings(await read_object(request))
    for audience in account.lists.values():
        audience.members_changed()
    return json_response(account.readings.as_json())


@router.get("/accounts/{account_id}/readings")
async def get_readings(account_id: str, request: Request) -> Response:
    return json_response(_account(store_of(request), account_id).readings.as_json())


def _account(store: Store, account_id: str) -> Account:
    account = store.accounts.get(account_id)
    if account is None:
        raise ResourceNotFound()
    return account


@router.get("/stats")
async def stats(request: Request) -> Response:
    return json_response(_limits(request).stats(request.query_params.get("account_id")))


@router.post("/reset")
async def reset(request: Request) -> Response:
    store_of(request).clear()
    limits = _limits(request)
    limits.requests.clear()
    limits.faults = Faults()
    return no_content()


@router.post("/save")
async def save(request: Request) -> Response:
    config: EmulatorConfig = request.app.state.config
    if config.state_file is None:
        raise InvalidResource("The emulator was started without a state file (--state).")
    persistence.save(store_of(request), config.state_file)
    return no_content()


def _parse_faults(body: dict[str, Any]) -> Faults:
    faults = Faults()
    for name in ("error_rate", "throttle_rate", "reset_rate"):
        rate = body.get(name, 0.0)
        if not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise InvalidResource(
                f"{name} must be a number from 0 to 1", [{"field": name, "message": "out of range"}]
            )
        setattr(faults, name, float(rate))
    statuses = body.get("error_statuses", [500, 503])
    if (
        not isinstance(statuses, list)
        or not statuses
        or not all(isinstance(s, int) and 400 <= s < 600 for s in statuses)
    ):
        raise InvalidResource("error_statuses must be a non-empty list of HTTP error statuses")
    faults.error_statuses = statuses
    throttle_status = body.get("throttle_status", 429)
    if throttle_status not in (429, 403):
        raise InvalidResource("throttle_status must be 429 or 403")
    faults.throttle_status = throttle_status
    latency = body.get("latency_ms", 0)
    if not isinstance(latency, int) or latency < 0:
        raise InvalidResource("latency_ms must be a non-negative integer")
    faults.latency_ms = latency
    if "seed" in body:
        faults.rng.seed(body["seed"])
    return faults


@router.post("/lists/{list_id}/members/{subscriber_hash}/{action}")
async def person_action(list_id: str, subscriber_hash: str, action: str, request: Request) -> Response:
    store = store_of(request)
    audience = _any_list(store, list_id)
    member = member_or_404(audience, subscriber_hash)
    body = await read_object(request)
    at = now()
    if action == "unsubscribe":
        reason = body.get("reason", "manual")
        if reason not in ("manual", "abuse"):
            raise InvalidResource("reason must be manual or abuse")
        person_actions.unsubscribe(store, audience, member, reason, str(body.get("campaign_id", "")), at)
    elif action == "bounce":
        person_actions.bounce(store, audience, member, at)
    elif action == "confirm":
        person_actions.confirm(store, audience, member, at)
    elif action == "change-email":
        person_actions.change_address(store, audience, member, body.get("new_email"), at)
    elif action == "update-profile":
        person_actions.update_profile(store, audience, member, body, at)
    else:
        raise ResourceNotFound()
    return json_response(export_member(audience, member))


@router.post("/lists/{list_id}/signup")
async def signup(list_id: str, request: Request) -> Response:
    store = store_of(request)
    audience = _any_list(store, list_id)
    member = person_actions.sign_up(store, audience, await read_object(request), now())
    return json_response(export_member(audience, member))


@router.get("/lists/{list_id}/export")
async def export(list_id: str, request: Request) -> Response:
    audience = _any_list(store_of(request), list_id)
    members = [export_member(audience, m) for m in audience.members.values()]
    return json_response(
        {"list_id": audience.id, "members": members, "forgotten": sorted(audience.forgotten)}
    )


def export_member(audience: AudienceList, member: Member) -> dict[str, Any]:
    """Everything about a member, hidden flags included, for tests to check against."""
    chosen = member.interests or {}
    return {
        "id": member.id,
        "email_address": member.email_address,
        "status": member.status,
        "merge_fields": merge_values(audience, member),
        "tags": sorted(tag["name"] for tag in member_tags(audience, member)),
        "interests": {i.id: chosen.get(i.id, False) for i in audience.all_interests()},
        "last_changed": iso(member.last_changed),
        "unsubscribe_reason": member.unsubscribe_reason,
        "compliance": member.compliance,
        "confirmations_sent": member.confirmations_sent,
    }


def _any_list(store: Store, list_id: str) -> AudienceList:
    audience = store.lists.get(list_id)
    if audience is None:
        raise ResourceNotFound()
    return audience
