"""The whole Mailchimp journey in a browser: log in, import a CSV, save a search, add Mailchimp through its
OAuth login on the emulator, preview the first sync, start it and watch it finish (a real queue and
worker; the page follows the run live), someone unsubscribes in Mailchimp (a real webhook into the app,
processed by the worker) and shows as the past group "Removed (by API)"; rejoining shows Mailchimp's
refusal. Screenshots for the README when CONSTITUENT_SCREENSHOTS names a folder."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.organization.service import get_settings
from constituent.jobs.worker import EmbeddedWorker
from constituent.kit.db import session_scope
from mailchimp_emulator.config import EmulatorConfig
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Site
from tests.support.emulator import RunningEmulator

pytestmark = pytest.mark.browser

ANN = "ann@mailbox.org"
CSV = (
    "kind,first_name,last_name,organization_name,email,is_active,do_not_email,groups,city\n"
    f"individual,Ann,Lee,,{ANN},yes,no,Newsletter,Springfield\n"
    "individual,Bo,Diaz,,bo@mailbox.org,yes,no,Newsletter,Shelbyville\n"
    "individual,Cy,Ng,,cy@mailbox.org,yes,no,Newsletter,Springfield\n"
    "individual,Dee,Park,,dee@mailbox.org,yes,no,,Springfield\n"
)
MC_LOGIN, MC_PASSWORD = "parks-journey", "emulator password"


@pytest.fixture
def emulator(emulator_factory: Callable[..., RunningEmulator]) -> RunningEmulator:
    """A private emulator answering every call after 150 ms, so a four-member sync lasts long enough for
    its progress to be seen."""
    return emulator_factory(EmulatorConfig(latency_ms=150))


@pytest.fixture
def queue_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'queue.db'}"


@pytest.fixture
def worker(site: Site) -> Iterator[EmbeddedWorker]:
    """The job worker beside the app, as `constituent serve --with-worker` runs it."""
    running = EmbeddedWorker(site.settings, site.database, workers=2, periodic=False)
    running.start()
    yield running
    running.stop()


def _organization(site: Site) -> None:
    with session_scope(site.database.sessions) as session:
        org = get_settings(session)
        org.organization_name, org.street, org.city = "Friends of Parks", "1 Elm St", "Springfield"
        org.state, org.postal_code = "IL", "62701"
        org.from_name, org.from_email = "Friends of Parks", "news@parks.co.uk"


def _log_in(page: Page, site: Site) -> None:
    page.goto(f"{site.app.base_url}/")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def _import(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Next: check the columns").click()
    # The file's groups are new here: an import creates them only when asked (issue 15).
    page.get_by_label("Create the groups the file names that do not exist yet").check()
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible()
    expect(page.get_by_text("4 new contact(s)")).to_be_visible()


def _saved_search(page: Page) -> None:
    page.get_by_role("link", name="Searches").click()
    page.get_by_role("link", name="Advanced Search").click()
    first = page.get_by_role("group", name="Condition 1")
    first.get_by_label("Field").select_option("city")
    first.get_by_label("Operator").select_option("eq")
    first.get_by_label("Value").fill("Springfield")
    page.get_by_label("Name", exact=True).fill("Springfield people")
    page.get_by_role("button", name="Save search").click()
    expect(page.get_by_text("The search Springfield people was saved.")).to_be_visible()


def _add_mailchimp(page: Page, site: Site) -> None:
    site.emulator.create_account("monthly", login=MC_LOGIN, password=MC_PASSWORD)
    page.get_by_role("link", name="Integrations").click()
    page.get_by_role("link", name="Add Mailchimp").click()
    page.get_by_label("Integration name").fill("Parks newsletter")
    page.get_by_label("Only the groups chosen here").check()
    page.locator("#f-groups").select_option("Newsletter")
    page.get_by_role("button", name="Connect Mailchimp").click()
    expect(page.get_by_role("heading", name=re.compile("Allow .* to access your account"))).to_be_visible()
    page.get_by_label("Username").fill(MC_LOGIN)
    page.get_by_label("Password").fill(MC_PASSWORD)
    page.get_by_role("button", name="Log in and allow").click()
    expect(page.get_by_role("heading", name="Parks newsletter")).to_be_visible()
    expect(page.get_by_text("webhook registered")).to_be_visible()


def _preview(page: Page, screenshots: Path) -> None:
    page.get_by_role("button", name="Preview the next sync").click()
    expect(page.get_by_role("heading", name="Preview of the next sync")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("cell", name=ANN)).to_be_visible()
    expect(page.get_by_role("cell", name="dee@mailbox.org")).to_have_count(0)  # not in the group
    page.screenshot(path=screenshots / "sync-preview.png", full_page=True)
    page.get_by_role("link", name="Back to the Mailchimp page").click()


def _first_sync_and_watch(page: Page, screenshots: Path) -> None:
    expect(page.get_by_text("waiting for you to start the first sync")).to_be_visible()
    page.get_by_role("button", name="Start the first sync").click()
    expect(page.get_by_text("The first sync queued")).to_be_visible()
    # The status panel polls while the run is queued or running, then reloads the page once.
    expect(page.get_by_role("progressbar", name="Sync progress")).to_be_visible()
    expect(page.locator("#sync-status").get_by_text("succeeded")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    page.screenshot(path=screenshots / "mailchimp-page.png", full_page=True)
    tabs = page.get_by_role("navigation", name="Mailchimp")
    tabs.get_by_role("link", name="History").click()
    expect(page.get_by_role("cell", name=re.compile(r"First sync: 3 added"))).to_be_visible()
    expect(page.locator("svg[role=img] rect title").first).to_have_text(re.compile("members written"))
    page.screenshot(path=screenshots / "mailchimp-history.png", full_page=True)
    tabs.get_by_role("link", name="Audience content").click()
    expect(page.get_by_role("heading", name="Tags and interests")).to_be_visible()
    page.screenshot(path=screenshots / "mailchimp-content.png", full_page=True)
    tabs.get_by_role("link", name="Overview").click()


def _unsubscribed_in_mailchimp(site: Site) -> None:
    [audience] = [a for a in site.emulator.store.lists.values() if a.name == "Parks newsletter"]
    site.emulator.control("POST", f"lists/{audience.id}/members/{subscriber_hash(ANN)}/unsubscribe", {})


def _open_ann(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Ann Lee").click()
    expect(page.get_by_role("heading", name="Ann Lee")).to_be_visible()


def _past_group_and_rejoin(page: Page, screenshots: Path) -> None:
    contact_url = page.url
    groups = page.get_by_role("navigation", name="Contact").get_by_role("link", name="Groups")
    # The webhook is processed by the worker a moment after Mailchimp sends it.
    for _ in range(60):
        groups.click()
        if page.get_by_role("cell", name=re.compile(r"^Removed \(by API\)")).count():
            break
        page.wait_for_timeout(500)
    past = page.get_by_role("row").filter(has_text="Newsletter").filter(has_text="Removed (by API)")
    expect(past).to_be_visible()
    page.screenshot(path=screenshots / "past-groups.png", full_page=True)
    past.get_by_role("button", name="Rejoin Group").click()
    expect(page.get_by_text("Rejoined Newsletter.")).to_be_visible()
    expect(
        page.get_by_text(re.compile(rf"Mailchimp will not add {ANN} to 'Parks newsletter'"))
    ).to_be_visible()
    page.goto(contact_url)
    panel = page.locator("#mailchimp")
    expect(panel.get_by_text(re.compile("Unsubscribed: they asked Mailchimp"))).to_be_visible()
    expect(panel.get_by_role("button", name="Ask Mailchimp to re-confirm")).to_be_visible()
    panel.screenshot(path=screenshots / "contact-mailchimp.png")


def test_the_mailchimp_journey_from_import_to_an_unsubscribe_and_mailchimps_refusal(
    page: Page, site: Site, worker: EmbeddedWorker, screenshots: Path
) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    _organization(site)
    _log_in(page, site)
    _import(page)
    _saved_search(page)
    _add_mailchimp(page, site)
    _preview(page, screenshots)
    _first_sync_and_watch(page, screenshots)
    _unsubscribed_in_mailchimp(site)
    _open_ann(page)
    _past_group_and_rejoin(page, screenshots)
    assert violations == [], "no CSP violation, also while the progress panel polled"
