"""The "Add Mailchimp" form: its fields, their defaults from the organization settings, and turning a
submitted form into a ConnectRequest, with every problem tied to the field that has it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError
from starlette.datastructures import FormData

from constituent.crm.contacts.emails import InvalidEmail, normalise_email
from constituent.crm.organization.models import OrganizationSettings
from constituent.integrations.mailchimp.audience_defaults import audience_defaults
from constituent.integrations.mailchimp.models import InitialSync, SyncMode
from constituent.integrations.mailchimp.schemas import ConnectRequest
from constituent.web.pages.forms import plain_message

AudienceChoice = Literal["new", "existing"]
ConnectMethod = Literal["oauth", "api_key"]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    required: bool = False
    kind: str = "text"
    hint: str = ""
    autocomplete: str = "off"
    options: tuple[str, ...] = ()  # for kind="select"


# Required on every submission; the audience's own fields are required only when creating one.
NAME = Field("name", "Integration name", required=True, hint="Shown on the Integrations page.")
AUDIENCE_CONTACT = (
    Field("company", "Organization or committee name", True, autocomplete="organization"),
    Field("address1", "Address", True, autocomplete="address-line1"),
    Field("city", "City", True, autocomplete="address-level2"),
    Field("state", "State", autocomplete="address-level1"),
    Field("zip", "Postal code", autocomplete="postal-code"),
    Field("country", "Country", True, hint="Two-letter code, e.g. US", autocomplete="country"),
)
PERMISSION_REMINDER = Field(
    "permission_reminder",
    "Permission reminder",
    True,
    kind="textarea",
    hint="Shown in every email: why people receive it.",
)
CAMPAIGN_DEFAULTS = (
    Field("from_name", "From name", True),
    Field("from_email", "From email", True, kind="email", autocomplete="email"),
    Field("subject", "Default subject", True),
    Field("language", "Language", hint="e.g. en, es, fr"),
)
AUDIENCE_ID = Field(
    "audience_id", "Audience ID", True, hint="Mailchimp > Audience > Settings > Unique ID, e.g. a1b2c3d4e5"
)
API_KEY = Field(
    "api_key",
    "API key",
    True,
    kind="password",
    hint="Mailchimp > Profile > Extras > API keys; it ends in -us<number>. Stored encrypted.",
)
NIGHTLY_TIME = Field(
    "nightly_time", "Nightly sync time", True, kind="time", hint="24-hour, in the organization's time zone"
)
NEW_AUDIENCE_FIELDS = frozenset(
    f.name for f in (*AUDIENCE_CONTACT, PERMISSION_REMINDER, *CAMPAIGN_DEFAULTS) if f.required
)
# Where ConnectRequest's own field paths and errors point in this form.
_FIELD_FOR_PATH = {"contact": "company", "campaign_defaults": "from_name"}


@dataclass
class MailchimpForm:
    """What the person typed (strings as given), and what is wrong with it, field by field."""

    values: dict[str, str]
    groups: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def audience_choice(self) -> AudienceChoice:
        return "existing" if self.value("audience_choice") == "existing" else "new"

    @property
    def connect_method(self) -> ConnectMethod:
        return "api_key" if self.value("connect_method") == "api_key" else "oauth"


class FormInvalid(Exception):
    def __init__(self, form: MailchimpForm) -> None:
        super().__init__(f"{len(form.errors)} field(s) need attention")
        self.form = form


def prefilled(org: OrganizationSettings, *, oauth_available: bool) -> MailchimpForm:
    """A new form, filled with the audience defaults so most people only check and submit."""
    defaults = audience_defaults(org)
    return MailchimpForm(
        values={
            "name": "Mailchimp",
            "audience_choice": "new",
            "company": defaults.company,
            "address1": defaults.address1,
            "city": defaults.city,
            "state": defaults.state,
            "zip": defaults.zip,
            "country": defaults.country,
            "permission_reminder": defaults.permission_reminder,
            "from_name": defaults.from_name,
            "from_email": defaults.from_email,
            "subject": defaults.subject,
            "language": defaults.language,
            "mode": SyncMode.all_individuals.value,
            "initial_sync": InitialSync.everyone.value,
            "nightly_time": "02:00",
            "connect_method": "oauth" if oauth_available else "api_key",
        }
    )


def submitted(data: FormData) -> MailchimpForm:
    values = {key: value.strip() for key, value in data.items() if isinstance(value, str)}
    values.pop("csrf_token", None)
    values.pop("groups", None)
    groups = [g for g in data.getlist("groups") if isinstance(g, str) and g.strip()]
    return MailchimpForm(values=values, groups=groups)


def connect_request(form: MailchimpForm) -> ConnectRequest:
    """The request to connect, or FormInvalid naming every field to fix (all at once, not one by one)."""
    form.errors = _missing(form)
    try:
        request = _build(form)
    except ValidationError as exc:
        for error in exc.errors():
            form.errors.setdefault(_field_of(error["loc"]), _sentence(plain_message(error)))
    if form.errors:
        raise FormInvalid(form)
    return request


def _sentence(message: str) -> str:
    """A message ends with a full stop."""
    text = message
    return text if text.endswith(".") else text + "."


def _missing(form: MailchimpForm) -> dict[str, str]:
    required = {NAME.name}
    if form.audience_choice == "new":
        required |= NEW_AUDIENCE_FIELDS
    else:
        required.add("audience_id")
    if form.connect_method == "api_key":
        required.add("api_key")
    errors = {name: "This field is required." for name in sorted(required) if not form.value(name)}
    if form.value("mode") == SyncMode.groups.value and not form.groups:
        errors["groups"] = "Choose at least one group: in groups mode they decide who is in the audience."
    if form.value("from_email") and "from_email" not in errors:
        try:
            normalise_email(form.value("from_email"))
        except InvalidEmail as exc:
            errors["from_email"] = str(exc)
    return errors


def from_request(request: ConnectRequest) -> MailchimpForm:
    """The form as it was sent, from the request kept while the person was at Mailchimp's login, so a
    refusal there (Deny, a full plan) comes back on the form with everything still filled in."""
    values = {
        "name": request.name,
        "audience_choice": "existing" if request.audience_id else "new",
        "audience_id": request.audience_id or "",
        "permission_reminder": request.permission_reminder,
        "mode": request.mode.value,
        "initial_sync": request.initial_sync.value,
        "double_optin": "on" if request.double_optin else "",
        "start_first_sync": "on" if request.start_first_sync else "",
        "nightly_time": request.nightly_time,
        "connect_method": "oauth",
    }
    if request.contact is not None:
        values |= request.contact.model_dump()
    if request.campaign_defaults is not None:
        values |= request.campaign_defaults.model_dump()
    return MailchimpForm(values=values, groups=list(request.groups))


def _build(form: MailchimpForm) -> ConnectRequest:
    creating = form.audience_choice == "new"
    groups_mode = form.value("mode") == SyncMode.groups.value
    data = {
        "name": form.value("name"),
        "api_key": form.value("api_key") if form.connect_method == "api_key" else None,
        "audience_id": None if creating else form.value("audience_id"),
        "contact": _contact(form) if creating else None,
        "permission_reminder": form.value("permission_reminder") if creating else "",
        "campaign_defaults": _campaign_defaults(form) if creating else None,
        "mode": form.value("mode") or SyncMode.all_individuals.value,
        "groups": form.groups if groups_mode else [],
        "initial_sync": form.value("initial_sync") or InitialSync.everyone.value,
        "double_optin": form.value("double_optin") == "on",
        "start_first_sync": form.value("start_first_sync") == "on",
        "nightly_time": form.value("nightly_time") or "02:00",
    }
    return ConnectRequest.model_validate(data)


def _contact(form: MailchimpForm) -> dict[str, str]:
    names = ("company", "address1", "city", "state", "zip")
    return {**{name: form.value(name) for name in names}, "country": form.value("country").upper()}


def _campaign_defaults(form: MailchimpForm) -> dict[str, str]:
    names = ("from_name", "from_email", "subject")
    return {**{name: form.value(name) for name in names}, "language": form.value("language") or "en"}


def field_for(path: str) -> str:
    """The form field a service error names (``contact`` -> the first contact field)."""
    head = path.split(".")[-1]
    return _FIELD_FOR_PATH.get(head, head)


def _field_of(loc: tuple[int | str, ...]) -> str:
    return field_for(".".join(str(part) for part in loc))


# Labels of the fields that are not text inputs, for the error summary at the top of the form.
LABELS = {
    **{f.name: f.label for f in (NAME, *AUDIENCE_CONTACT, PERMISSION_REMINDER, *CAMPAIGN_DEFAULTS)},
    **{f.name: f.label for f in (AUDIENCE_ID, API_KEY, NIGHTLY_TIME)},
    "audience_choice": "Audience",
    "connect_method": "Connect with",
    "mode": "Sync mode",
    "groups": "Groups",
    "initial_sync": "Initial sync",
    "double_optin": "Double opt-in",
    "start_first_sync": "Start the first sync now",
}
