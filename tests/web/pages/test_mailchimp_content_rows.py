"""Audience content is one table edited in place: a group's row says how it is synced, with a name box and
one Save. Saving the row maps the group, renames it, switches it to another target (the old one is
unmapped in the same change, and kept when Mailchimp refuses the new one) or stops it; a membership chosen
in the row still asks first; the "Also as" form beside it adds a second mapping."""

from __future__ import annotations

import pytest

from constituent.crm.groups.service import create_group
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW
from tests.web.pages.test_mailchimp_mappings_page import _groups, _row, _synced_as, group_id, search_id
from tests.web.pages.test_mailchimp_page import page_url

__all__ = ["group_id", "page_url", "search_id"]  # fixtures shared with the mappings page tests


def _save_row(admin: Browser, page_url: str, group_id: int, **fields: str) -> str:
    """Submit the group's row from the content tab and return the tab it lands on."""
    admin.get(page_url + "/content")
    saved = admin.submit(f"{page_url}/mappings/groups/{group_id}", fields)
    assert saved.headers["location"] == f"{page_url}/content"
    return admin.get(saved.headers["location"]).text


def test_searches_and_groups_share_one_table_with_a_select_a_name_box_and_a_save_per_row(
    admin: Browser, page_url: str, search_id: int, group_id: int
) -> None:
    page = admin.get(page_url + "/content").text

    assert page.count('<table class="inline-edit">') == 1
    for name, kind in (("Springfield", "saved search"), ("Volunteers", "group")):
        row = _row(page, name)
        assert f"<small>{kind}</small>" in row
        assert row.count("<select") >= 1 and 'name="name"' in row
        assert row.count(">Save</button>") == 1


@pytest.mark.slow
def test_a_groups_row_maps_it_renames_it_switches_it_and_stops_it(
    admin: Browser, page_url: str, group_id: int, db: TestDatabase
) -> None:
    mapped = _save_row(admin, page_url, group_id, current="", target="tag", name="Helpers")
    assert "Volunteers is synced as tag from the next sync on." in mapped
    assert _synced_as(mapped, "Volunteers") == "tag" and 'value="Helpers"' in _row(mapped, "Volunteers")

    _save_row(admin, page_url, group_id, current="tag", target="tag", name="Friends")
    assert _groups(db) == [(group_id, "tag", "Friends")]

    switched = _save_row(admin, page_url, group_id, current="tag", target="interest", name="")
    assert "Volunteers is synced as interest instead of tag from the next sync on." in switched
    assert _groups(db) == [(group_id, "interest", "Volunteers")]
    assert _synced_as(switched, "Volunteers") == "interest"

    stopped = _save_row(admin, page_url, group_id, current="interest", target="off", name="")
    assert "Volunteers is no longer synced as interest; Mailchimp keeps what members carry." in stopped
    assert _groups(db) == [] and _synced_as(stopped, "Volunteers") == "off"


def test_a_groups_tag_stopped_in_its_row_can_stay_on_the_members(
    admin: Browser, page_url: str, group_id: int, db: TestDatabase
) -> None:
    mapped = _save_row(admin, page_url, group_id, current="", target="tag", name="")
    assert '<option value="left">not synced, tag left on members</option>' in _row(mapped, "Volunteers")

    stopped = _save_row(admin, page_url, group_id, current="tag", target="left", name="")

    assert "Volunteers is no longer synced as a tag; members keep the tag." in stopped
    assert _groups(db) == []


def test_a_switch_mailchimp_refuses_keeps_the_groups_old_mapping(
    admin: Browser, page_url: str, group_id: int, db: TestDatabase, account: McAccount
) -> None:
    _save_row(admin, page_url, group_id, current="", target="tag", name="Helpers")
    [audience] = account.client.get("/lists").json()["lists"]
    base = f"/lists/{audience['id']}/interest-categories"
    for category in account.client.get(base).json()["categories"]:
        account.client.delete(f"{base}/{category['id']}")  # someone deleted our category in Mailchimp

    page = _save_row(admin, page_url, group_id, current="tag", target="interest", name="")

    assert "Not changed. Mailchimp said: Resource Not Found" in page
    assert _groups(db) == [(group_id, "tag", "Helpers")]  # the tag was not unmapped half-way
    assert _synced_as(page, "Volunteers") == "tag"


def test_the_also_as_form_beside_a_mapped_group_adds_a_second_mapping(
    admin: Browser, page_url: str, group_id: int, db: TestDatabase
) -> None:
    unmapped = admin.get(page_url + "/content").text
    mapped = _save_row(admin, page_url, group_id, current="", target="tag", name="")

    assert 'aria-label="Also sync Volunteers as"' not in _row(unmapped, "Volunteers")  # the row maps it first
    also = _row(mapped, "Volunteers").split("Also sync Volunteers as")[1]
    assert '<option value="interest">an interest</option>' in also
    assert '<option value="tag">' not in also  # already a tag


@pytest.mark.slow
def test_membership_chosen_in_a_groups_row_asks_first_and_then_replaces_what_the_row_showed(
    admin: Browser, account: McAccount, group_id: int, db: TestDatabase
) -> None:
    with session_scope(db.sessions) as session:
        create_group(session, "Donors", actor="test")
    connected = admin.submit(
        NEW, {**FILLED, "api_key": account.api_key, "mode": "groups", "groups": "Donors"}
    )
    url = connected.headers["location"]
    _save_row(admin, url, group_id, current="", target="tag", name="")

    asked = admin.submit(f"{url}/mappings/groups/{group_id}", {"current": "tag", "target": "membership"})
    page = _save_row(admin, url, group_id, current="tag", target="membership", confirmed="yes")

    assert asked.status_code == 200 and 'name="current" value="tag"' in asked.text
    assert f'href="{url}/content">Cancel</a>' in asked.text
    assert "Volunteers is synced as membership instead of tag from the next sync on." in page
    assert (group_id, "membership", "") in _groups(db) and (group_id, "tag", "Volunteers") not in _groups(db)
