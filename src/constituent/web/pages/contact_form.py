"""The contact form (new and edit): its fields, and turning what was sent into the service's input."""

from __future__ import annotations

from pydantic import ValidationError

from constituent.crm.contacts import fields
from constituent.crm.contacts.models import Contact, ContactKind
from constituent.crm.contacts.schemas import ContactCreate, ContactUpdate, EmailIn
from constituent.web.pages.forms import FormInvalid, FormState, validation_errors
from constituent.web.pages.mailchimp_form import Field

IDENTITY = (
    Field("first_name", "First name", autocomplete="off"),
    Field("last_name", "Last name", autocomplete="off"),
    Field("organization_name", "Organization name", hint="Required for organizations and vendors."),
)
EMAIL = Field("email", "Email", kind="email", hint="Becomes the primary email.")
ADDRESS = (
    Field("street", "Street"),
    Field("city", "City"),
    Field("state", "State"),
    Field("postal_code", "Postal code"),
    Field("country", "Country", hint="Two letters, e.g. US"),
    Field("phone", "Phone", kind="tel"),
)
FLAGS = (
    ("is_active", "Active"),
    ("is_deceased", "Deceased"),
    ("do_not_email", "Do not email"),
)
TEXT_NAMES = tuple(f.name for f in (*IDENTITY, *ADDRESS))
ALL_NAMES = ("kind", EMAIL.name, *TEXT_NAMES, *(name for name, _ in FLAGS), "allow_duplicate")
KINDS = tuple(kind.value for kind in ContactKind)


def _fields(form: FormState) -> dict[str, object]:
    values: dict[str, object] = {name: form.value(name) for name in TEXT_NAMES}
    values["country"] = form.value("country").upper()
    values.update({name: form.checked(name) for name, _ in FLAGS})
    values["kind"] = form.value("kind") or ContactKind.individual.value
    return values


def new_contact(form: FormState) -> ContactCreate:
    data = _fields(form)
    address = form.value(EMAIL.name)
    data["emails"] = [EmailIn(address=address, is_primary=True)] if address else []
    data["allow_duplicate"] = form.checked("allow_duplicate")
    try:
        return ContactCreate.model_validate(data)
    except ValidationError as exc:
        raise FormInvalid(validation_errors(exc)) from exc


def contact_changes(form: FormState) -> ContactUpdate:
    try:
        return ContactUpdate.model_validate(_fields(form))
    except ValidationError as exc:
        raise FormInvalid(validation_errors(exc)) from exc


def empty_form() -> FormState:
    return FormState(values={"kind": ContactKind.individual.value, "is_active": "on"})


def form_of(contact: Contact) -> FormState:
    values = {name: str(getattr(contact, name)) for name in TEXT_NAMES}
    values["kind"] = contact.kind.value
    values.update({name: "on" for name, _ in FLAGS if getattr(contact, name)})
    return FormState(values=values)


# A contact's fields as every page names them (merge, change log).
CONTACT_FIELD_LABELS = fields.LABELS
