"""A saved search beyond the size limit, stored before the limit existed (issue 13, item 5), never
fails a sync: the run reports that search's tag as not updated and syncs everything else."""

from __future__ import annotations

from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.crm.searches.service import create_search
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.db import session_scope
from tests.crm.searches.oversized import huge_filter, store_unchecked
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect


def test_a_sync_reports_an_oversized_search_and_syncs_every_other_tag(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org", city="Springfield")
    with session_scope(product.db.sessions) as session:
        store_unchecked(session, "Everywhere", {"any": huge_filter()["all"]})
        town = {"field": "city", "op": "eq", "value": "Springfield"}
        create_search(session, SavedSearchCreate(name="Springfield", filter=town))

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    assert "Everywhere" in run.message and "not updated" in run.message
    tags = audience.member("ann@mailbox.org")["tags"]
    assert "Springfield" in tags
    assert "Everywhere" not in tags
