"""The header's Integrations menu gets a Mailchimp entry once Mailchimp is connected (as the help page of
the system we replace says), and it opens the integration's page: the first one when there are several."""

from __future__ import annotations

from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_stored_integration


def _menu(admin: Browser) -> str:
    return admin.get("/contacts").text.split("</nav>")[0]


def test_there_is_no_mailchimp_entry_before_mailchimp_is_connected(admin: Browser) -> None:
    assert ">Mailchimp</a></li>" not in _menu(admin)


def test_the_menu_gets_a_mailchimp_entry_once_mailchimp_is_connected(
    admin: Browser, db: TestDatabase, settings: Settings
) -> None:
    with session_scope(db.sessions) as session:
        integration_id = a_stored_integration(session, settings).id

    menu = _menu(admin)

    assert f'<li><a href="/integrations/mailchimp/{integration_id}">Mailchimp</a></li>' in menu
    assert menu.index(">Integrations</a></li>") < menu.index(">Mailchimp</a></li>")


def test_with_several_integrations_the_entry_opens_the_first_ones_page(
    admin: Browser, db: TestDatabase, settings: Settings
) -> None:
    with session_scope(db.sessions) as session:
        first = a_stored_integration(session, settings)
        second = a_stored_integration(session, settings)
        second.name, second.audience_id = "Schools", "d4e5f6"
        first_id = first.id

    menu = _menu(admin)

    assert menu.count(">Mailchimp</a></li>") == 1
    assert f'<li><a href="/integrations/mailchimp/{first_id}" title="Parks; the others are under' in menu
    assert admin.get(f"/integrations/mailchimp/{first_id}").status_code == 200
