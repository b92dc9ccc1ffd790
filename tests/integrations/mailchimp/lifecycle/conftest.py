"""Shared by the lifecycle tests: our API served as an administrator, and a saved search of Springfield."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from constituent.auth.models import Role
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.crm.searches.service import create_search
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product, served_api

CITY = {"all": [{"field": "city", "op": "eq", "value": "Springfield"}]}


@pytest.fixture
def admin_api(product: Product) -> Iterator[httpx.Client]:
    with served_api(product, Role.admin) as client:
        yield client


def springfield_search(product: Product, name: str = "Springfield") -> int:
    """A saved search of the contacts living in Springfield."""
    with session_scope(product.db.sessions) as session:
        return create_search(session, SavedSearchCreate(name=name, filter=CITY)).id
