"""``fields.keeps``: whether a value survives ``fields``/``exclude_fields`` (so a route may skip working it
out), in agreement with ``fields.project``, which does the trimming."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from mailchimp_emulator.fields import keeps, project

BODY = {"segments": [{"id": 1, "name": "Core", "member_count": 2}], "total_items": 1}


def _request(query: str) -> Request:
    return Request(
        {"type": "http", "method": "GET", "path": "/", "query_string": query.encode(), "headers": []}
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "fields=segments.id,segments.name",
        "fields=segments",
        "fields=segments.member_count",
        "fields=total_items",
        "exclude_fields=segments.member_count",
        "exclude_fields=segments",
        "exclude_fields=total_items",
        "fields=segments&exclude_fields=segments.member_count",
    ],
)
def test_keeps_says_what_project_leaves_of_a_segments_member_count(query: str) -> None:
    request = _request(query)
    segments = project(request, BODY).get("segments", [])

    assert keeps(request, "segments.member_count") == any("member_count" in s for s in segments)
