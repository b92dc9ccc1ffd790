"""Issue 14: mapping a group as membership (groups mode) shows how many people that would add to the
audience and saves only once confirmed. The count is the group's synced people with no member in the
audience per the ledger, and the next sync adds exactly that many."""

from __future__ import annotations

import pytest

from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.groups.service import add_to_group, create_group
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW
from tests.web.pages.test_mailchimp_mappings_page import _synced_as
from tests.web.pages.test_mailchimp_page import _members


@pytest.fixture
def volunteers(db: TestDatabase) -> int:
    """Donors: Ann. Volunteers: Ann (in the audience after the first sync), Bo and Dee (not yet), and
    Cy, who asked for no email (never synced)."""
    with session_scope(db.sessions) as session:
        ids = {}
        for first, extra in (("Ann", {}), ("Bo", {}), ("Cy", {"do_not_email": True}), ("Dee", {})):
            email = EmailIn(address=f"{first.lower()}@mailbox.org", is_primary=True)
            ids[first] = create_contact(
                session, ContactCreate(first_name=first, emails=[email], **extra), "t"
            ).id
        donors = create_group(session, "Donors", actor="test").id
        add_to_group(session, donors, [ids["Ann"]], method=MembershipMethod.user, actor="test")
        group = create_group(session, "Volunteers", actor="test").id
        add_to_group(session, group, list(ids.values()), method=MembershipMethod.user, actor="test")
        return group


@pytest.mark.slow
def test_mapping_a_group_as_membership_says_how_many_it_would_add_and_asks_before_saving(
    admin: Browser, account: McAccount, volunteers: int
) -> None:
    added = admin.submit(NEW, {**FILLED, "api_key": account.api_key, "mode": "groups", "groups": "Donors"})
    url = added.headers["location"]
    admin.submit(f"{url}/sync", {"mode": "incremental"})  # the first sync: Ann
    mapping = f"{url}/mappings/groups/{volunteers}"

    asked = admin.submit(mapping, {"target": "membership"})

    assert asked.status_code == 200
    assert "This would add 2 people to the audience" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert _synced_as(admin.get(f"{url}/content").text, "Volunteers") == "off"  # nothing saved yet

    confirmed = admin.submit(mapping, {"target": "membership", "confirmed": "yes"})
    admin.submit(f"{url}/sync", {"mode": "incremental"})

    assert confirmed.status_code == 303
    assert "Volunteers is synced as membership from the next sync on." in admin.get(url).text
    assert _members(account) == {"ann@mailbox.org", "bo@mailbox.org", "dee@mailbox.org"}
