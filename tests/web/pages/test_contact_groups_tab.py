"""The Groups tab of a contact: add, remove into a past group, rejoin, delete the past stint, smart groups,
and Mailchimp's refusal said at once while the contact is added all the same."""

from __future__ import annotations

from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.crm.searches.service import create_search
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact, a_group, an_audience_holding_as_unsubscribed


def _memberships(db: TestDatabase, contact_id: int) -> tuple[list[str], list[str]]:
    with db.sessions() as session:
        found = groups.contact_groups(session, contact_id)
        return [m.group_name for m in found.current], [m.group_name for m in found.past]


def test_a_contact_is_added_to_a_group_removed_into_past_groups_and_rejoins(
    admin: Browser, db: TestDatabase
) -> None:
    contact_id, group_id = a_contact(db), a_group(db)
    tab = f"/contacts/{contact_id}/groups"
    admin.get(tab)
    assert admin.submit(tab, {"group_id": str(group_id)}).headers["location"] == tab
    assert "Added to Volunteers." in admin.get(tab).text
    assert _memberships(db, contact_id) == (["Volunteers"], [])

    admin.submit(f"{tab}/{group_id}/remove")
    page = admin.get(tab).text
    assert "Ann Lee is no longer part of these group(s)." in page
    # The label is groups/schemas.membership_label's, the same the API and the CLI show.
    assert "<td>Volunteers</td>\n        <td>Removed (by User)</td>" in page
    assert _memberships(db, contact_id) == ([], ["Volunteers"])

    with db.sessions() as session:
        [past] = groups.contact_groups(session, contact_id).past
    admin.submit(f"/contacts/{contact_id}/memberships/{past.membership_id}/rejoin")
    assert _memberships(db, contact_id) == (["Volunteers"], ["Volunteers"])
    admin.get(tab)
    admin.submit(f"/contacts/{contact_id}/memberships/{past.membership_id}/delete")
    assert _memberships(db, contact_id) == (["Volunteers"], [])


def test_a_removal_by_mailchimp_shows_as_removed_by_api_with_rejoin_and_a_confirmed_delete(
    admin: Browser, db: TestDatabase
) -> None:
    contact_id, group_id = a_contact(db), a_group(db, "Newsletter")
    with session_scope(db.sessions) as session:
        groups.add_to_group(session, group_id, [contact_id], method=MembershipMethod.api, actor="t")
        groups.remove_from_group(
            session, group_id, [contact_id], method=MembershipMethod.api, actor="Mailchimp"
        )
    page = admin.get(f"/contacts/{contact_id}/groups").text
    assert "Removed (by API)" in page
    assert '<button type="submit" class="secondary">Rejoin Group</button>' in page
    assert '<summary class="button danger">Delete</summary>' in page
    assert "Yes, delete" in page


def test_the_groups_tab_lists_the_smart_groups_the_contact_matches(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    with session_scope(db.sessions) as session:
        body = {"all": [{"field": "last_name", "op": "eq", "value": "Lee"}]}
        create_search(session, SavedSearchCreate(name="The Lees", filter=body))
        create_search(
            session,
            SavedSearchCreate(
                name="The Diazes", filter={"all": [{"field": "last_name", "op": "eq", "value": "Diaz"}]}
            ),
        )
    page = admin.get(f"/contacts/{contact_id}/groups").text
    smart = page[page.index("Smart Groups") : page.index("Past Groups")]
    assert "The Lees" in smart and "The Diazes" not in smart


def test_adding_someone_mailchimp_holds_as_unsubscribed_adds_them_and_says_mailchimp_refused(
    admin: Browser, db: TestDatabase, settings: Settings
) -> None:
    contact_id, group_id = a_contact(db), a_group(db, "Newsletter")
    an_audience_holding_as_unsubscribed(db, settings, group_id, contact_id)
    tab = f"/contacts/{contact_id}/groups"
    admin.get(tab)
    admin.submit(tab, {"group_id": str(group_id)})
    page = admin.get(tab).text
    assert "Added to Newsletter." in page
    assert "Mailchimp will not add ann@mailbox.org to &#39;Parks newsletter&#39;" in page
    assert _memberships(db, contact_id) == (["Newsletter"], [])


def test_a_past_membership_of_another_contact_cannot_be_deleted_through_this_contact(
    admin: Browser, db: TestDatabase
) -> None:
    ann, bo, group_id = a_contact(db), a_contact(db, "Bo", "Diaz", "bo@mailbox.org"), a_group(db)
    with session_scope(db.sessions) as session:
        groups.add_to_group(session, group_id, [bo], method=MembershipMethod.user, actor="t")
        groups.remove_from_group(session, group_id, [bo], method=MembershipMethod.user, actor="t")
        [past] = groups.contact_groups(session, bo).past
    admin.get(f"/contacts/{ann}/groups")
    assert admin.submit(f"/contacts/{ann}/memberships/{past.membership_id}/delete").status_code == 400
    assert _memberships(db, bo) == ([], ["Volunteers"])


def test_rejoin_is_offered_once_per_group_and_not_while_the_contact_is_back_in_it(
    admin: Browser, db: TestDatabase
) -> None:
    """Issue 16: after two stints the Past Groups table offered Rejoin on each row, and still offered it
    after the contact had rejoined (the service then refuses: already a current member)."""
    contact_id, group_id = a_contact(db), a_group(db)
    tab = f"/contacts/{contact_id}/groups"
    with session_scope(db.sessions) as session:
        for _ in range(2):
            groups.add_to_group(session, group_id, [contact_id], method=MembershipMethod.user, actor="t")
            groups.remove_from_group(session, group_id, [contact_id], method=MembershipMethod.user, actor="t")

    page = admin.get(tab).text
    assert page.count(">Rejoin Group</button>") == 1
    with db.sessions() as session:
        newest = max(m.membership_id for m in groups.contact_groups(session, contact_id).past)
    assert f"/memberships/{newest}/rejoin" in page

    admin.submit(f"/contacts/{contact_id}/memberships/{newest}/rejoin")
    assert ">Rejoin Group</button>" not in admin.get(tab).text
