"""Names typed by people (or by Mailchimp) are shown as text, never run as HTML."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from constituent.crm.activities.service import record_activity
from constituent.crm.contributions.schemas import ContributionCreate
from constituent.crm.contributions.service import create_contribution
from constituent.crm.groups.models import Group, MembershipMethod
from constituent.crm.groups.service import add_to_group
from constituent.crm.organization.service import get_settings
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.crm.searches.service import create_search
from constituent.integrations.mailchimp.models import AuthKind, MailchimpIntegration
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact, a_group

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


def _store_integration(db: TestDatabase, settings: Settings) -> int:
    box = SecretBox.from_settings(settings)
    with session_scope(db.sessions) as session:
        integration = MailchimpIntegration(
            name=f"Parks {SCRIPT}",
            auth_kind=AuthKind.api_key,
            secret_encrypted=box.encrypt("key-us1"),
            dc="us1",
            api_base=settings.mailchimp_api_base or "",
            account_name=f"Account {SCRIPT}",
            audience_id="a1b2c3",
            audience_name=f"Audience {SCRIPT}",
            webhook_secret_encrypted=box.encrypt("secret"),
            webhook_error=f"Mailchimp said: {SCRIPT}",
        )
        session.add(integration)
        session.flush()
        return integration.id


def test_integration_names_from_people_and_mailchimp_are_escaped_on_every_page(
    admin: Browser, db: TestDatabase, settings: Settings
) -> None:
    integration_id = _store_integration(db, settings)
    for path in ("/", "/integrations", f"/integrations/mailchimp/{integration_id}"):
        page = admin.get(path)
        assert page.status_code == 200, path
        assert SCRIPT not in page.text, path
        assert ESCAPED in page.text, path


def test_organization_and_group_names_are_escaped_in_the_add_form(admin: Browser, db: TestDatabase) -> None:
    with session_scope(db.sessions) as session:
        get_settings(session).organization_name = f"Friends {SCRIPT}"
        session.add(Group(name=f"Volunteers {SCRIPT}", description=""))
    page = admin.get("/integrations/mailchimp/new")
    assert SCRIPT not in page.text
    assert f'value="Friends {ESCAPED}"' in page.text
    assert f">Volunteers {ESCAPED}</option>" in page.text


def test_pages_forbid_inline_scripts_and_framing(admin: Browser) -> None:
    headers = admin.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_names_and_notes_typed_into_the_crm_are_escaped_on_its_pages(
    admin: Browser, db: TestDatabase
) -> None:
    contact_id = a_contact(db, f"Ann {SCRIPT}", "Lee", "ann@mailbox.org")
    group_id = a_group(db, f"Volunteers {SCRIPT}")
    with session_scope(db.sessions) as session:
        add_to_group(session, group_id, [contact_id], method=MembershipMethod.user, actor="t")
        day = date(2026, 1, 2)
        fund = f"Fund {SCRIPT}"
        gift = ContributionCreate(contact_id=contact_id, amount=Decimal(5), received_on=day, designation=fund)
        create_contribution(session, gift, "t")
        record_activity(session, contact_id, "note", f"Called {SCRIPT}", datetime(2026, 1, 2, tzinfo=UTC))
        body = {"all": [{"field": "last_name", "op": "eq", "value": "Lee"}]}
        search_id = create_search(session, SavedSearchCreate(name=f"Lees {SCRIPT}", filter=body)).id
    tabs = ("", "/contributions", "/activities", "/groups", "/changes")
    pages = [f"/contacts/{contact_id}{tab}" for tab in tabs]
    pages += ["/", "/contacts", "/groups", f"/groups/{group_id}", "/searches", f"/searches/{search_id}"]
    for path in pages:
        page = admin.get(path)
        assert page.status_code == 200, path
        assert SCRIPT not in page.text, path
        assert ESCAPED in page.text, path
