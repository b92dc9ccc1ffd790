"""CSV export in the import's own columns, so that importing an export gives the same contacts back, plus
one column per connected Mailchimp audience with the contact's status there (subscribed, unsubscribed,
cleaned, …; empty when not in the audience), which an import of the file leaves aside."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import Select
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.crm.imports import repository
from constituent.crm.imports.columns import ALL, BOOLEAN_DEFAULTS, LIST_SEPARATOR, TEXT_FIELDS, format_bool
from constituent.integrations.mailchimp.sync import member_status
from constituent.kit.csv_cells import SafeDictWriter

BATCH_SIZE = 2000


def export_csv(
    session: Session, path: Path, *, only: Select[int] | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Write every contact (or those whose id ``only`` selects: a saved search, a group, a filtered list)
    to ``path``, a batch at a time; returns how many."""
    count = 0
    audiences = status_columns(member_status.audiences(session))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = SafeDictWriter(handle, [*ALL, *audiences.values()])
        writer.writeheader()
        for batch in repository.contact_batches(session, batch_size, only):
            ids = [c.id for c in batch]
            groups = repository.current_group_names(session, ids)
            statuses = member_status.statuses_of_contacts(session, ids) if audiences else {}
            records = [_record(contact, groups.get(contact.id, [])) for contact in batch]
            for contact, record in zip(batch, records, strict=True):
                for integration_id, column in audiences.items():
                    status = statuses.get((contact.id, integration_id))
                    record[column] = status.value if status else ""
            writer.writerows(records)
            count += len(batch)
    return count


def status_columns(audiences: list[tuple[int, str]]) -> dict[int, str]:
    """Integration id -> its column; two audiences of one name also show their integration ids."""
    names = Counter(name for _, name in audiences)
    return {
        integration_id: f"Mailchimp status ({name})"
        if names[name] == 1
        else f"Mailchimp status ({name} #{integration_id})"
        for integration_id, name in audiences
    }


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
