"""GET /ping and GET / (the account the key belongs to)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.auth import current_account
from mailchimp_emulator.fields import project
from mailchimp_emulator.render import iso
from mailchimp_emulator.routes.common import json_response
from mailchimp_emulator.state import Account

router = APIRouter()


@router.get("/ping")
async def ping(account: Account = Depends(current_account)) -> Response:
    return json_response({"health_status": "Everything's Chimpy!"})


@router.get("/")
async def account_root(request: Request, account: Account = Depends(current_account)) -> Response:
    return json_response(project(request, _root(account)))


def _root(account: Account) -> dict[str, Any]:
    email = account.email or f"{account.login or 'owner'}@mailbox.org"
    return {
        "account_id": account.id,
        "login_id": account.id[:10],
        "account_name": account.account_name,
        "email": email,
        "first_name": "Emulated",
        "last_name": "Owner",
        "username": account.login or "owner",
        "avatar_url": "",
        "role": "owner",
        "member_since": iso(account.created_at),
        "pricing_plan_type": account.plan,
        "first_payment": "" if account.plan == "forever_free" else iso(account.created_at),
        "account_timezone": "UTC",
        "account_industry": "Politics",
        "contact": {
            "company": account.account_name,
            "addr1": "1 Main Street",
            "addr2": "",
            "city": "Springfield",
            "state": "",
            "zip": "",
            "country": "US",
        },
        "pro_enabled": False,
        "last_login": iso(account.created_at),
        "total_subscribers": sum(
            1
            for audience in account.lists.values()
            for m in audience.members.values()
            if m.status == "subscribed"
        ),
        "industry_stats": {"open_rate": 0, "bounce_rate": 0, "click_rate": 0},
        "_links": [],
    }
