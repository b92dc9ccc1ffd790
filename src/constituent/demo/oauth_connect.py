"""Connect the demo's Mailchimp the way a person does, over the same HTTP a browser sends: log in to the
app, fill in Integrations > Add Mailchimp, log in on Mailchimp's (the emulator's) authorize page, and
follow the callback back to the app, which stores the integration and registers the webhook."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import httpx

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_INTEGRATION_URL = re.compile(r"/integrations/mailchimp/(\d+)$")

ADD_FORM = {
    "name": "Parks newsletter",
    "connect_method": "oauth",
    "audience_choice": "new",
    "company": "Friends of Springfield Parks",
    "address1": "1 Elm Street",
    "city": "Springfield",
    "state": "IL",
    "zip": "62701",
    "country": "us",
    "permission_reminder": "You are receiving this email because you support our parks.",
    "from_name": "Friends of Springfield Parks",
    "from_email": "news@parks.co.uk",
    "subject": "Parks news",
    "language": "en",
    "mode": "groups",
    "groups": "Newsletter",
    "initial_sync": "everyone",
    "nightly_time": "02:00",
}


class ConnectFailed(RuntimeError):
    """A step of the connection did not answer as a browser would expect."""


@dataclass(frozen=True)
class AppLogin:
    email: str
    password: str


@dataclass(frozen=True)
class MailchimpLogin:
    username: str
    password: str


def _token(html: str) -> str:
    found = _TOKEN.search(html)
    if not found:
        raise ConnectFailed("the page has no form token")
    return found.group(1)


def _expect_redirect(response: httpx.Response, step: str) -> str:
    if response.status_code not in (302, 303):
        raise ConnectFailed(f"{step}: expected a redirect, got HTTP {response.status_code}")
    return response.headers["location"]


def connect_through_oauth(app_url: str, app: AppLogin, mailchimp: MailchimpLogin) -> int:
    """Add Mailchimp through the pages and the OAuth login; returns the new integration's id."""
    with httpx.Client(base_url=app_url, timeout=120, follow_redirects=False) as browser:
        token = _token(browser.get("/login").text)
        login = {"csrf_token": token, "email": app.email, "password": app.password, "next": "/"}
        _expect_redirect(browser.post("/login", data=login), "logging in")
        token = _token(browser.get("/integrations/mailchimp/new").text)
        authorize_url = _expect_redirect(
            browser.post("/integrations/mailchimp/new", data={**ADD_FORM, "csrf_token": token}),
            "submitting Add Mailchimp",
        )
        callback = _authorize(authorize_url, mailchimp)
        landed = _expect_redirect(browser.get(callback), "returning from Mailchimp")
        found = _INTEGRATION_URL.search(landed)
        if not found:
            raise ConnectFailed(f"returning from Mailchimp: landed on {landed}")
        return int(found.group(1))


def _authorize(authorize_url: str, mailchimp: MailchimpLogin) -> str:
    """Mailchimp's login page: its hidden fields, our login, "Log in and allow"; returns the callback URL."""
    with httpx.Client(timeout=60, follow_redirects=False) as mailchimp_browser:
        page = mailchimp_browser.get(authorize_url)
        if page.status_code != 200:
            raise ConnectFailed(f"Mailchimp's authorize page answered HTTP {page.status_code}")
        fields = {name: unescape(value) for name, value in _HIDDEN.findall(page.text)}
        fields |= {"username": mailchimp.username, "password": mailchimp.password, "decision": "allow"}
        action = str(httpx.URL(authorize_url).copy_with(query=None))
        return _expect_redirect(mailchimp_browser.post(action, data=fields), "logging in to Mailchimp")
