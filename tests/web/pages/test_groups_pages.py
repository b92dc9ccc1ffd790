"""Groups: create one, see its members a page at a time, add and remove members, rename, delete."""

from __future__ import annotations

import pytest

from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact, a_group, an_audience_holding_as_unsubscribed


@pytest.mark.slow
def test_a_group_is_created_and_opens_on_its_page(admin: Browser, db: TestDatabase) -> None:
    admin.get("/groups")
    response = admin.submit("/groups", {"name": "Board", "description": "Trustees"})
    assert response.status_code == 303
    page = admin.get(response.headers["location"]).text
    assert "The group Board was created." in page and "<h1>Board</h1>" in page and "No members yet." in page


def test_a_group_name_that_is_taken_or_has_a_semicolon_is_refused_at_the_name(
    admin: Browser, db: TestDatabase
) -> None:
    a_group(db, "Board")
    admin.get("/groups")
    taken = admin.submit("/groups", {"name": "Board"})
    assert taken.status_code == 400 and "a group named &#39;Board&#39; already exists" in taken.text
    semicolon = admin.submit("/groups", {"name": "A;B"})
    assert semicolon.status_code == 400 and 'id="f-name-error"' in semicolon.text


def test_members_are_added_by_email_listed_and_removed(admin: Browser, db: TestDatabase) -> None:
    ann, group_id = a_contact(db), a_group(db)
    admin.get(f"/groups/{group_id}")
    admin.submit(f"/groups/{group_id}/members", {"email": "ANN@mailbox.org"})
    page = admin.get(f"/groups/{group_id}").text
    assert "Added Ann Lee." in page and f'<a href="/contacts/{ann}">Ann Lee</a>' in page
    admin.submit(f"/groups/{group_id}/members", {"email": "nobody@mailbox.org"})
    assert (
        "Not added: “nobody@mailbox.org”: no contact has this email." in admin.get(f"/groups/{group_id}").text
    )
    admin.submit(f"/groups/{group_id}/members/{ann}/remove")
    with db.sessions() as session:
        assert [m.group_name for m in groups.contact_groups(session, ann).past] == ["Volunteers"]


def test_a_group_page_shows_fifty_members_at_a_time(admin: Browser, db: TestDatabase) -> None:
    group_id = a_group(db)
    ids = [a_contact(db, f"P{n:02}", "Doe", f"p{n}@mailbox.org") for n in range(51)]
    with session_scope(db.sessions) as session:
        groups.add_to_group(session, group_id, ids, method=MembershipMethod.user, actor="t")
    first = admin.get(f"/groups/{group_id}").text
    assert "Members <small>(51)</small>" in first and "Page 1 of 2" in first
    assert first.count("/remove") == 50
    assert admin.get(f"/groups/{group_id}?page=2").text.count("/remove") == 1


def test_adding_by_email_someone_mailchimp_refused_says_so(
    admin: Browser, db: TestDatabase, settings: Settings
) -> None:
    ann, group_id = a_contact(db), a_group(db, "Newsletter")
    an_audience_holding_as_unsubscribed(db, settings, group_id, ann)
    admin.get(f"/groups/{group_id}")
    admin.submit(f"/groups/{group_id}/members", {"email": "ann@mailbox.org"})
    page = admin.get(f"/groups/{group_id}").text
    assert "Added Ann Lee." in page and "Mailchimp will not add ann@mailbox.org" in page


def test_a_group_is_renamed_and_deleted(admin: Browser, db: TestDatabase) -> None:
    group_id = a_group(db)
    admin.get(f"/groups/{group_id}")
    admin.submit(f"/groups/{group_id}/rename", {"name": "Helpers"})
    assert "<h1>Helpers</h1>" in admin.get(f"/groups/{group_id}").text
    response = admin.submit(f"/groups/{group_id}/delete")
    assert response.headers["location"] == "/groups"
    assert "The group Helpers was deleted" in admin.get("/groups").text
    assert admin.get(f"/groups/{group_id}").status_code == 404


def test_after_a_group_is_deleted_its_members_still_see_it_among_their_past_groups(
    admin: Browser, db: TestDatabase
) -> None:
    ann, group_id = a_contact(db), a_group(db, "Phone bank")
    with session_scope(db.sessions) as session:
        groups.add_to_group(session, group_id, [ann], method=MembershipMethod.user, actor="t")
    admin.get(f"/groups/{group_id}")
    admin.submit(f"/groups/{group_id}/delete")

    tab = admin.get(f"/contacts/{ann}/groups").text

    assert "Phone bank (deleted " in tab and "The group was deleted" in tab
    assert "Rejoin Group" not in tab
    assert "Phone bank" not in admin.get("/groups").text.split("</h1>", 1)[1].split("was deleted")[-1]
    admin.get("/groups")
    assert admin.submit("/groups", {"name": "Phone bank"}).status_code == 303  # the name is free again
