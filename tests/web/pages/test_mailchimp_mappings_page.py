"""The Mailchimp page's "Tags and interests": an administrator renames a saved search's tag, switches one
off, sets the prefix, maps a group as an interest (created in Mailchimp) or a tag and unmaps it; a bad name
is named and nothing changes; staff only read; names are shown escaped. Searches and groups share one
table, edited in the row (tests/web/pages/test_mailchimp_content_rows.py edits groups' rows)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from constituent.crm.groups.service import create_group
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.crm.searches.service import create_search
from constituent.integrations.mailchimp import mappings
from constituent.integrations.mailchimp.mappings import Mapping
from constituent.integrations.mailchimp.repository import list_all
from constituent.kit.clock import today
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW
from tests.web.pages.test_mailchimp_page import page_url as page_url  # the connected integration's page

CITY = {"all": [{"field": "city", "op": "eq", "value": "Springfield"}]}


@pytest.fixture
def search_id(db: TestDatabase) -> int:
    with session_scope(db.sessions) as session:
        return create_search(session, SavedSearchCreate(name="Springfield", filter=CITY)).id


@pytest.fixture
def group_id(db: TestDatabase) -> int:
    with session_scope(db.sessions) as session:
        return create_group(session, "Volunteers", actor="test").id


def _mappings(db: TestDatabase) -> list[Mapping]:
    with session_scope(db.sessions) as session:
        [integration] = list_all(session)
        return mappings.list_mappings(session, integration, today())


def _search(db: TestDatabase, search_id: int) -> Mapping:
    return next(m for m in _mappings(db) if m.kind == "saved_search" and m.source_id == search_id)


def _groups(db: TestDatabase) -> list[tuple[int, str, str]]:
    return [(m.source_id, m.target, m.remote_name) for m in _mappings(db) if m.kind == "group"]


def _interests(account: McAccount) -> list[str]:
    [audience] = account.client.get("/lists").json()["lists"]
    base = f"/lists/{audience['id']}/interest-categories"
    names = []
    for category in account.client.get(base).json()["categories"]:
        interests = account.client.get(f"{base}/{category['id']}/interests").json()["interests"]
        names += [interest["name"] for interest in interests]
    return names


def _row(page: str, name: str, kind: str = "") -> str:
    """The row of a saved search or group in the one inline-edit table (its cells hold the inputs);
    ``kind`` ("group", "saved search") tells a group from a quick list of the same name."""
    found = re.search(rf'<tr>\s*<th scope="row">{re.escape(name)} <small>{kind}.*?</tr>', page, re.S)
    assert found, f"no row for {name}"
    return found.group(0)


def _synced_as(page: str, name: str, kind: str = "") -> str:
    """What the row's "How it is synced" select shows (a group's first option is "off": not synced)."""
    found = re.search(r'<option value="(\w+)" selected>', _row(page, name, kind))
    return found.group(1) if found else "off"


def _synced(page: str, search: str) -> bool:
    return _synced_as(page, search) == "tag"


def test_an_admin_renames_a_search_tag_and_switches_one_off(
    admin: Browser, page_url: str, search_id: int, db: TestDatabase
) -> None:
    before = admin.get(page_url + "/content").text

    renamed = admin.submit(f"{page_url}/mappings/searches/{search_id}", {"name": "Locals", "synced": "tag"})
    page = admin.get(page_url + "/content").text

    assert '<h2 id="mappings-heading">Tags and interests</h2>' in before
    assert 'value="Springfield"' in _row(before, "Springfield") and _synced(before, "Springfield")
    assert renamed.status_code == 303
    assert "Springfield is sent as a tag from the next sync on." in page
    assert 'value="Locals"' in _row(page, "Springfield")
    assert _search(db, search_id).remote_name == "Locals"

    admin.submit(f"{page_url}/mappings/searches/{search_id}", {"name": "Locals", "synced": "off"})
    page = admin.get(page_url + "/content").text

    switched_off = "Springfield is no longer sent as a tag and is taken off the members we put it on"
    assert f"{switched_off} from the next sync on." in page
    assert 'value="Locals"' in _row(page, "Springfield") and not _synced(page, "Springfield")
    assert _search(db, search_id).enabled is False


def test_an_admin_switches_a_tag_off_leaving_it_on_the_members(
    admin: Browser, page_url: str, search_id: int, db: TestDatabase
) -> None:
    """Issue 14: the "leave it on the members" choice is made and shown on the page."""
    admin.get(page_url + "/content")

    admin.submit(f"{page_url}/mappings/searches/{search_id}", {"name": "Springfield", "synced": "left"})
    page = admin.get(page_url + "/content").text

    assert "Springfield is no longer sent as a tag; members keep the tag from the next sync on." in page
    assert _synced_as(page, "Springfield") == "left"


def test_an_admin_sets_the_tag_prefix_and_every_search_tag_carries_it(
    admin: Browser, page_url: str, search_id: int, db: TestDatabase
) -> None:
    admin.get(page_url + "/content")

    response = admin.submit(f"{page_url}/mappings/prefix", {"prefix": "CRM: "})
    page = unescape(admin.get(page_url + "/content").text)

    assert response.status_code == 303
    assert "Tags now start with 'CRM: ' from the next sync on." in page
    assert 'name="prefix" maxlength="50" value="CRM: "' in page
    assert "sent as “CRM: Springfield”" in _row(page, "Springfield")
    assert _search(db, search_id).remote_name == "CRM: Springfield"


@pytest.mark.slow
def test_an_admin_maps_a_group_as_an_interest_then_as_a_tag_and_unmaps_it(
    admin: Browser, page_url: str, group_id: int, db: TestDatabase, account: McAccount
) -> None:
    assert _synced_as(admin.get(page_url + "/content").text, "Volunteers") == "off"

    as_interest = admin.submit(f"{page_url}/mappings/groups/{group_id}", {"target": "interest", "name": ""})
    admin.submit(f"{page_url}/mappings/groups/{group_id}", {"target": "tag", "name": "Helpers"})
    page = admin.get(page_url + "/content").text

    assert as_interest.status_code == 303
    assert "Volunteers is synced as interest from the next sync on." in page
    assert "Volunteers is synced as tag from the next sync on." in page
    assert "Volunteers" in _interests(account)
    assert sorted(_groups(db)) == [(group_id, "interest", "Volunteers"), (group_id, "tag", "Helpers")]
    # The first mapping is edited in the row; the tag added after it is listed beside it.
    assert _synced_as(page, "Volunteers") == "interest" and "a tag “Helpers”" in _row(page, "Volunteers")

    unmapped = admin.submit(f"{page_url}/mappings/groups/{group_id}/unmap", {"target": "interest"})
    page = admin.get(page_url + "/content").text

    assert unmapped.status_code == 303
    assert "Volunteers is no longer synced as interest; Mailchimp keeps what members carry." in page
    assert _groups(db) == [(group_id, "tag", "Helpers")]
    assert _synced_as(page, "Volunteers") == "tag" and 'value="Helpers"' in _row(page, "Volunteers")
    assert "Volunteers" in _interests(account)  # Mailchimp keeps the interest


def test_a_bad_tag_name_is_named_and_nothing_changes(
    admin: Browser, page_url: str, search_id: int, group_id: int, db: TestDatabase, account: McAccount
) -> None:
    admin.get(page_url + "/content")

    admin.submit(f"{page_url}/mappings/searches/{search_id}", {"name": "x" * 101})
    admin.submit(f"{page_url}/mappings/groups/{group_id}", {"target": "interest", "name": "y" * 101})
    admin.submit(f"{page_url}/mappings/prefix", {"prefix": "z" * 51})
    page = admin.get(page_url + "/content").text

    assert "Not changed. name: with its prefix, a name may have at most 100 characters" in page
    assert "Not changed. tag_prefix: at most 50 characters" in page
    saved = _search(db, search_id)
    assert (saved.remote_name, saved.enabled) == ("Springfield", True)  # not switched off half-way
    assert _groups(db) == []
    assert _interests(account) == []


def test_mailchimps_refusal_to_create_the_interest_is_flashed_and_nothing_is_mapped(
    admin: Browser, page_url: str, group_id: int, db: TestDatabase, account: McAccount
) -> None:
    admin.get(page_url + "/content")
    [audience] = account.client.get("/lists").json()["lists"]
    base = f"/lists/{audience['id']}/interest-categories"
    for category in account.client.get(base).json()["categories"]:
        account.client.delete(f"{base}/{category['id']}")  # someone deleted our category in Mailchimp

    response = admin.submit(f"{page_url}/mappings/groups/{group_id}", {"target": "interest"})
    page = admin.get(page_url + "/content").text

    assert response.status_code == 303
    assert "Not changed. Mailchimp said: Resource Not Found" in page
    assert _synced_as(page, "Volunteers") == "off"
    assert _groups(db) == []


def test_membership_is_offered_only_in_groups_mode(
    admin: Browser, page_url: str, group_id: int, db: TestDatabase
) -> None:
    page = admin.get(page_url + "/content").text

    admin.submit(f"{page_url}/mappings/groups/{group_id}", {"target": "membership"})

    assert '<option value="interest">an interest</option>' in _row(page, "Volunteers")
    assert '<option value="membership">' not in page
    assert (
        "Not changed. target: &#39;membership&#39; is not one of tag, interest"
        in admin.get(page_url + "/content").text
    )
    assert _groups(db) == []


@pytest.mark.slow
def test_in_groups_mode_a_group_is_mapped_as_membership_and_unmapped(
    admin: Browser, account: McAccount, group_id: int, db: TestDatabase
) -> None:
    with session_scope(db.sessions) as session:
        donors = create_group(session, "Donors", actor="test").id
    connected = admin.submit(
        NEW, {**FILLED, "api_key": account.api_key, "mode": "groups", "groups": "Donors"}
    )
    url = connected.headers["location"]
    page = admin.get(url + "/content").text

    admin.submit(f"{url}/mappings/groups/{group_id}", {"target": "membership", "confirmed": "yes"})
    mapped = admin.get(url + "/content").text
    admin.submit(f"{url}/mappings/groups/{group_id}/unmap", {"target": "membership"})

    assert '<option value="membership">who is in the audience</option>' in _row(page, "Volunteers")
    assert _synced_as(page, "Donors", "group") == "membership"
    assert "Volunteers is synced as membership from the next sync on." in mapped
    assert _synced_as(mapped, "Volunteers") == "membership"
    assert _groups(db) == [(donors, "membership", "")]


@pytest.mark.slow
def test_staff_see_the_mappings_without_forms_and_cannot_change_them(
    admin: Browser, staff: Browser, page_url: str, search_id: int, group_id: int, db: TestDatabase
) -> None:
    page = staff.get(page_url + "/content").text

    posts = [
        staff.submit(f"{page_url}/mappings/searches/{search_id}", {"name": "Locals"}),
        staff.submit(f"{page_url}/mappings/prefix", {"prefix": "CRM: "}),
        staff.submit(f"{page_url}/mappings/groups/{group_id}", {"target": "tag"}),
        staff.submit(f"{page_url}/mappings/groups/{group_id}/unmap", {"target": "tag"}),
    ]

    assert "<td>a tag</td>\n        <td>Springfield</td>" in _row(page, "Springfield")
    assert "<td>not synced</td>" in _row(page, "Volunteers")
    assert "/mappings/" not in page  # no form posts anywhere
    assert [r.status_code for r in posts] == [403] * 4
    assert all("Form expired" not in r.text for r in posts)  # refused for the role, not the form token
    assert _search(db, search_id).remote_name == "Springfield" and _groups(db) == []


def test_html_in_search_and_group_names_is_shown_escaped(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    with session_scope(db.sessions) as session:
        create_search(session, SavedSearchCreate(name="<i>Search</i>", filter=CITY))
        create_group(session, "<b>Group</b>", actor="test")

    page = admin.get(page_url + "/content").text

    assert 'value="&lt;i&gt;Search&lt;/i&gt;"' in _row(page, "&lt;i&gt;Search&lt;/i&gt;")
    assert 'placeholder="&lt;b&gt;Group&lt;/b&gt;"' in _row(page, "&lt;b&gt;Group&lt;/b&gt;")
    assert "<i>Search</i>" not in page and "<b>Group</b>" not in page


def _search_targets(db: TestDatabase, search_id: int) -> list[tuple[str, str]]:
    return sorted(
        (m.target, m.remote_name)
        for m in _mappings(db)
        if m.kind == "saved_search" and m.source_id == search_id and m.target != "tag"
    )


def test_an_admin_syncs_a_saved_search_as_an_interest_on_the_page_and_stops_it(
    admin: Browser, page_url: str, search_id: int, db: TestDatabase, account: McAccount
) -> None:
    page = admin.get(page_url + "/content").text
    assert f'action="{page_url}/mappings/searches/{search_id}/as"' in page
    assert '<option value="membership">' not in page  # membership is for the chosen-groups mode

    mapped = admin.submit(f"{page_url}/mappings/searches/{search_id}/as", {"target": "interest", "name": ""})
    page = admin.get(page_url + "/content").text

    assert mapped.status_code == 303
    assert "Springfield is synced as an interest from the next sync on." in page
    assert "the interest Springfield" in _row(page, "Springfield")
    assert "Springfield" in _interests(account)
    assert _search_targets(db, search_id) == [("interest", "Springfield")]

    admin.submit(f"{page_url}/mappings/searches/{search_id}/unmap", {"target": "interest"})
    page = admin.get(page_url + "/content").text

    assert "Springfield is no longer synced as an interest; Mailchimp keeps what members carry." in page
    assert _search_targets(db, search_id) == []


def test_a_saved_search_decides_membership_only_in_groups_mode(
    admin: Browser, page_url: str, search_id: int, db: TestDatabase, account: McAccount
) -> None:
    admin.submit(f"{page_url}/mappings/searches/{search_id}/as", {"target": "membership"})
    assert "Not changed." in admin.get(page_url + "/content").text
    assert _search_targets(db, search_id) == []

    with session_scope(db.sessions) as session:
        create_group(session, "Donors", actor="test")
    connected = admin.submit(
        NEW, {**FILLED, "api_key": account.api_key, "mode": "groups", "groups": "Donors"}
    )
    url = connected.headers["location"]
    admin.submit(f"{url}/mappings/searches/{search_id}/as", {"target": "membership"})
    page = admin.get(url + "/content").text

    assert "Springfield is synced as who is in the audience from the next sync on." in page
    assert "who is in the audience\n" in _row(page, "Springfield")  # listed, with its Stop button


def test_staff_cannot_map_a_saved_search(
    staff: Browser, page_url: str, search_id: int, db: TestDatabase
) -> None:
    answer = staff.submit(f"{page_url}/mappings/searches/{search_id}/as", {"target": "interest"})
    assert answer.status_code == 403
    assert _search_targets(db, search_id) == []
