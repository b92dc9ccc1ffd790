"""The fields a file can fill, the names people give them, and the spellings of yes and no."""

from __future__ import annotations

import re

from constituent.crm.contacts import fields

# The template's columns (and the export's), in order: a file with this header imports as is.
ALL = (
    "kind",
    "first_name",
    "last_name",
    "organization_name",
    "email",
    "is_active",
    "do_not_email",
    "groups",
    "external_id",
    "secondary_emails",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "is_deceased",
)
# A column that is split into first and last name when the file has no separate ones.
FULL_NAME = "full_name"
FIELDS = (*ALL, FULL_NAME)
# A file needs at least one of these, or no row of it could become a contact.
IDENTIFYING = ("first_name", "last_name", FULL_NAME, "organization_name", "email")

# Columns copied onto the contact as text (after trimming); their limits come from the table.
TEXT_FIELDS = fields.TEXT
BOOLEAN_DEFAULTS = {"is_active": True, "do_not_email": False, "is_deceased": False}

# Other names for each field, compared after lower-casing and dropping everything but letters and
# digits ("E-mail Address" -> "emailaddress"). The field's own name is always understood.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "kind": ("type", "contacttype", "recordtype"),
    "first_name": ("first", "firstname", "givenname", "forename", "fname", "christianname"),
    "last_name": ("last", "lastname", "surname", "familyname", "lname"),
    FULL_NAME: ("name", "fullname", "contactname", "yourname"),
    "organization_name": (
        "organization",
        "organisation",
        "organisationname",
        "org",
        "company",
        "companyname",
        "employer",
    ),
    "email": ("email", "emailaddress", "mail", "primaryemail", "emailaddr"),
    "secondary_emails": ("otheremail", "otheremails", "email2", "secondemail", "alternateemail"),
    "street": ("address", "streetaddress", "address1", "addressline1"),
    "city": ("town",),
    "state": ("province", "region", "county", "stateprovince"),
    "postal_code": ("zip", "zipcode", "postcode", "postal", "zippostalcode"),
    "country": ("countrycode",),
    "phone": ("phonenumber", "telephone", "tel", "mobile", "cell", "mobilephone", "cellphone"),
    "is_active": ("active",),
    "do_not_email": ("noemail", "optout", "emailoptout"),
    "is_deceased": ("deceased",),
    "groups": ("group", "lists"),
    "external_id": ("id", "recordid", "memberid", "customerid"),
}

_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0"}
LIST_SEPARATOR = ";"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def squash(name: str) -> str:
    """A column name reduced to lower-case letters and digits, the form synonyms are compared in."""
    return _NOT_ALNUM.sub("", name.lower())


MEANINGS = {squash(name): field for field, names in SYNONYMS.items() for name in (field, *names)}


class HeaderError(ValueError):
    """The header row cannot be imported; the message names the columns at fault."""


def template_header() -> str:
    return ",".join(ALL)


def parse_bool(column: str, text: str) -> bool | None:
    """True or False, or None for a blank cell (nothing said: a new contact gets the default)."""
    value = text.strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{column}: {text!r} is not a yes or no (use yes/no, y/n, true/false, 1/0 or x)")


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
