"""A running Constituent registered as the webhook of an emulator audience (the inbound tests' stage),
plus what the doctor's tests do to Mailchimp behind its back: through the emulator's own HTTP API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from constituent.crm.groups import service as groups
from constituent.integrations.mailchimp import mappings, service
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.inbound.conftest import (  # noqa: F401 (fixtures used here)
    Live,
    live,
    live_factory,
    queue_url,
)


@dataclass
class Mailchimp:
    """The audience as someone with the account's API key sees it (a person editing it by hand)."""

    live: Live
    http: httpx.Client

    @property
    def lists(self) -> str:
        return f"/lists/{self.live.audience.audience_id}"

    def get(self, path: str) -> Any:
        response = self.http.get(self.lists + path)
        response.raise_for_status()
        return response.json()

    def delete(self, path: str) -> None:
        self.http.delete(self.lists + path).raise_for_status()

    def delete_merge_field(self, tag: str) -> None:
        [field] = [f for f in self.get("/merge-fields")["merge_fields"] if f["tag"] == tag]
        self.delete(f"/merge-fields/{field['merge_id']}")

    def category_id(self) -> str:
        [category] = self.get("/interest-categories")["categories"]
        return str(category["id"])

    def interests(self) -> dict[str, str]:
        body = self.get(f"/interest-categories/{self.category_id()}/interests")
        return {i["name"]: i["id"] for i in body["interests"]}

    def webhooks(self) -> list[dict[str, Any]]:
        return list(self.get("/webhooks")["webhooks"])


@pytest.fixture
def mailchimp(live: Live) -> Iterator[Mailchimp]:  # noqa: F811 (the imported fixture)
    """The audience, with a group "Volunteers" mapped as one of our interests."""
    with session_scope(live.product.db.sessions) as session:
        group = groups.create_group(session, "Volunteers", actor="test")
        integration = service.get_integration(session, live.integration_id)
        asyncio.run(
            mappings.map_group(session, live.product.box, integration, group.id, SourceTarget.interest)
        )
    with live.product.emulator.api_client(live.audience.api_key) as http:
        yield Mailchimp(live, http)
