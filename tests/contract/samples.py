"""Real Mailchimp bodies: recorded traffic (grouparoo's nock fixtures, us3, Nov 2021) and API-NOTES.md."""

from __future__ import annotations

import copy
import json
from typing import Any

LIST_ID = "a36b032126"
MEMBER_HASH = "d0b75ad6a5aa9f579412236a3ede2df6"
MEMBER_PATH = f"/3.0/lists/{LIST_ID}/members/{MEMBER_HASH}"

# The 200 body of a real POST /lists/a36b032126/members (grouparoo export-record.js), `_links` shortened.
_RECORDED_MEMBER: dict[str, Any] = {
    "id": MEMBER_HASH,
    "email_address": "cbo5dxn52fh6ykgt8vdt@grouparoo.com",
    "unique_email_id": "ecded3f91e",
    "contact_id": "6ad156c2c724752c21797ddd648b4762",
    "full_name": "Caio",
    "web_id": 400743356,
    "email_type": "html",
    "status": "subscribed",
    "consents_to_one_to_one_messaging": True,
    "merge_fields": {"FNAME": "Caio", "LNAME": "", "ADDRESS": "", "PHONE": "", "LTV": "", "JOINED_AT": ""},
    "stats": {"avg_open_rate": 0, "avg_click_rate": 0},
    "ip_signup": "",
    "timestamp_signup": "",
    "ip_opt": "45.228.145.87",
    "timestamp_opt": "2021-11-23T14:54:43+00:00",
    "member_rating": 2,
    "last_changed": "2021-11-23T14:54:43+00:00",
    "language": "",
    "vip": False,
    "email_client": "",
    "location": {"latitude": 0, "longitude": 0, "gmtoff": 0, "dstoff": 0, "country_code": "", "timezone": ""},
    "source": "API - Generic",
    "tags_count": 0,
    "tags": [],
    "list_id": LIST_ID,
    "_links": [
        {
            "rel": "self",
            "href": f"https://us3.api.mailchimp.com{MEMBER_PATH}",
            "method": "GET",
            "targetSchema": "https://us3.api.mailchimp.com/schema/3.0/Definitions/Lists/Members/Response.json",
        },
        {
            "rel": "delete",
            "href": f"https://us3.api.mailchimp.com{MEMBER_PATH}",
            "method": "DELETE",
        },
    ],
}

# A real 404 (same recording), and its headers.
NOT_FOUND: dict[str, Any] = {
    "type": "https://mailchimp.com/developer/marketing/docs/errors/",
    "title": "Resource Not Found",
    "status": 404,
    "detail": "The requested resource could not be found.",
    "instance": "1aed3e52-cc16-4ffd-181b-4a93f2f970ed",
}
PROBLEM_HEADERS = {
    "Content-Type": "application/problem+json; charset=utf-8",
    "X-Request-Id": NOT_FOUND["instance"],
}
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def recorded_member(**changes: Any) -> dict[str, Any]:
    member = copy.deepcopy(_RECORDED_MEMBER)
    member.update(changes)
    return member


def member_without(field: str) -> dict[str, Any]:
    member = recorded_member()
    del member[field]
    return member


def upsert_body(**changes: Any) -> dict[str, Any]:
    """A PUT member body as our sync sends it: `status_if_new` for new members, never `status`."""
    body: dict[str, Any] = {
        "email_address": "urist.mcvankab@freddiesjokes.com",
        "status_if_new": "subscribed",
        "merge_fields": {"FNAME": "Urist", "LNAME": "McVankab", "PHONE": ""},
        "interests": {"9143cf3bd1": True, "3a2a927344": False},
        "language": "en",
        "vip": False,
    }
    body.update(changes)
    return body


def encoded(body: Any) -> bytes:
    return json.dumps(body).encode()
