"""Mapping contact fields onto merge fields in tests, and reading the audience's merge fields back."""

from __future__ import annotations

import asyncio
from typing import Any

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.merge_fields import service as merge_fields
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.sync.sync_helpers import Audience


def map_field(audience: Audience, field: str, tag: str) -> int:
    """Map through the product's service (which talks to the emulator); returns the merge id."""
    product = audience.product
    with session_scope(product.db.sessions) as session:
        integration = service.get_integration(session, audience.integration_id)
        mapping = asyncio.run(merge_fields.map_field(session, product.box, integration, field, tag))
        return mapping.merge_id


def unmap_field(audience: Audience, field: str) -> None:
    with session_scope(audience.product.db.sessions) as session:
        integration = service.get_integration(session, audience.integration_id)
        merge_fields.unmap_field(session, integration, field)


def remote_merge_fields(audience: Audience) -> dict[str, dict[str, Any]]:
    """The audience's merge fields as Mailchimp's API lists them, by tag."""
    with audience.product.emulator.api_client(audience.api_key) as client:
        response = client.get(f"/lists/{audience.audience_id}/merge-fields", params={"count": 1000})
    assert response.status_code == 200, response.text
    return {field["tag"]: field for field in response.json()["merge_fields"]}


def create_remote_field(audience: Audience, tag: str, kind: str) -> int:
    """A merge field someone made in Mailchimp before mapping."""
    with audience.product.emulator.api_client(audience.api_key) as client:
        body = {"tag": tag, "name": tag.title(), "type": kind}
        response = client.post(f"/lists/{audience.audience_id}/merge-fields", json=body)
    assert response.status_code == 200, response.text
    merge_id: int = response.json()["merge_id"]
    return merge_id
