"""CSV export in the import's own columns, so that importing an export gives the same contacts back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.crm.imports import repository
from constituent.crm.imports.columns import ALL, BOOLEAN_DEFAULTS, LIST_SEPARATOR, TEXT_FIELDS, format_bool
from constituent.kit.csv_cells import SafeDictWriter

BATCH_SIZE = 2000


def export_csv(session: Session, path: Path, *, batch_size: int = BATCH_SIZE) -> int:
    """Write every contact to ``path``; returns how many."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = SafeDictWriter(handle, ALL)
        writer.writeheader()
        for batch in repository.contact_batches(session, batch_size):
            groups = repository.current_group_names(session, [c.id for c in batch])
            writer.writerows(_record(contact, groups.get(contact.id, [])) for contact in batch)
            count += len(batch)
    return count


def _record(contact: Contact, groups: list[str]) -> dict[str, str]:
    primary = contact.primary_email
    others = [e.address for e in contact.emails if e is not primary]
    record = {column: getattr(contact, column) for column in TEXT_FIELDS}
    record.update({column: format_bool(getattr(contact, column)) for column in BOOLEAN_DEFAULTS})
    record.update(
        kind=contact.kind.value,
        email=primary.address if primary else "",
        secondary_emails=LIST_SEPARATOR.join(others),
        groups=LIST_SEPARATOR.join(groups),
        external_id=contact.external_id or "",
    )
    return record
