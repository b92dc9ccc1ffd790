"""The contact's own fields, in the order every page, import, export and merge lists them: one catalogue.

A field added to contacts is added here once; the merge (which fields can be taken from the other
record), the import and export (which columns are copied as text) and the pages (their labels) follow.
"""

from __future__ import annotations

# Copied as trimmed text (an import cell, an export column); limits come from the table's columns.
TEXT = (
    "first_name",
    "last_name",
    "organization_name",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
)
FLAGS = ("is_active", "is_deceased", "do_not_email")

# Every editable field of a contact, with the words pages use for it.
LABELS = {
    "kind": "Kind",
    "first_name": "First name",
    "last_name": "Last name",
    "organization_name": "Organization",
    "street": "Street",
    "city": "City",
    "state": "State",
    "postal_code": "Postal code",
    "country": "Country",
    "phone": "Phone",
    "external_id": "External ID",
    "source": "Source",
    "is_active": "Active",
    "is_deceased": "Deceased",
    "do_not_email": "Do not email",
}
EDITABLE = tuple(LABELS)
