"""The indexes behind the contact search box, so it stays fast at a million contacts (issue 15).

The search matches any part of a name, an address or a phone number (``finding.py``), which no ordinary
index can serve. Each database gets the index it has for "contains":

- PostgreSQL: trigram GIN indexes (``pg_trgm``) on the lower-cased names, the addresses and the phone's
  digits; ``LIKE '%…%'`` uses them. Where the extension cannot be created (no privilege), the search
  still works, by reading the table.
- SQLite: an FTS5 table with the trigram tokenizer (``contact_search`` over the lower-cased names and
  the phone's digits, through a view), kept by triggers on every write, whichever code path makes it
  (the service, a bulk import, a merge); ``GLOB '*…*'`` uses it. Addresses are found by their start or
  their domain through the ordinary indexes (a trigram index on them made an import of 100,000 rows
  take 20 s instead of 12; see docs/BENCHMARKS.md).

``install`` is what migration 0025 runs and what ``create_all`` runs after the tables (tests, the demo).
"""

from __future__ import annotations

from sqlalchemy import Connection, event, text
from sqlalchemy.schema import Table

# Characters a phone number is typed with; the digits are what is searched.
PHONE_MARKS = (" ", "-", "(", ")", "+", ".", "/")

_INDEXES = (
    "ix_contacts_first_name_trgm",
    "ix_contacts_last_name_trgm",
    "ix_contacts_organization_name_trgm",
    "ix_contacts_phone_digits_trgm",
    "ix_emails_address_trgm",
    "ix_contacts_external_id_lower",
)


def is_search_object(name: str) -> bool:
    """A table (FTS5's own shadow tables included) or index made here, not by the models: a schema
    comparison with the models leaves them out."""
    return name in _INDEXES or name.startswith(("contact_search", "email_search"))


def digits_sql(column: str) -> str:
    """The SQL of a phone column's digits, the same text in indexes, triggers and queries."""
    value = column
    for mark in PHONE_MARKS:
        value = f"replace({value}, '{mark}', '')"
    return value


def _names_sql(row: str) -> str:
    return (
        f"lower({row}.first_name) || ' ' || lower({row}.last_name) || ' ' || lower({row}.organization_name)"
    )


def _sqlite_statements() -> list[str]:
    names_new, names_old = _names_sql("new"), _names_sql("old")
    digits_new, digits_old = digits_sql("new.phone"), digits_sql("old.phone")
    # Built from the constants above only (column names and marks); nothing a person typed.
    delete_old = (
        "INSERT INTO contact_search(contact_search, rowid, names, digits) "  # noqa: S608
        f"VALUES ('delete', old.id, {names_old}, {digits_old});"
    )
    insert_new = (
        f"INSERT INTO contact_search(rowid, names, digits) VALUES (new.id, {names_new}, {digits_new});"  # noqa: S608
    )
    return [
        "CREATE VIEW IF NOT EXISTS contact_search_source AS SELECT id, "  # noqa: S608
        f"{_names_sql('contacts')} AS names, {digits_sql('contacts.phone')} AS digits FROM contacts",
        "CREATE VIRTUAL TABLE IF NOT EXISTS contact_search USING fts5(names, digits, "
        "content='contact_search_source', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS contact_search_ai AFTER INSERT ON contacts BEGIN {insert_new} END",
        f"CREATE TRIGGER IF NOT EXISTS contact_search_ad AFTER DELETE ON contacts BEGIN {delete_old} END",
        "CREATE TRIGGER IF NOT EXISTS contact_search_au AFTER UPDATE OF first_name, last_name, "
        f"organization_name, phone ON contacts BEGIN {delete_old} {insert_new} END",
        "INSERT INTO contact_search(contact_search) VALUES ('rebuild')",
        "CREATE INDEX IF NOT EXISTS ix_contacts_external_id_lower ON contacts (lower(external_id))",
    ]


def _postgres_statements(schema: str) -> list[str]:
    gin = "USING gin ({} " + f'"{schema}".gin_trgm_ops)'
    return [
        "CREATE INDEX IF NOT EXISTS ix_contacts_first_name_trgm ON contacts "
        + gin.format("lower(first_name)"),
        "CREATE INDEX IF NOT EXISTS ix_contacts_last_name_trgm ON contacts " + gin.format("lower(last_name)"),
        "CREATE INDEX IF NOT EXISTS ix_contacts_organization_name_trgm ON contacts "
        + gin.format("lower(organization_name)"),
        "CREATE INDEX IF NOT EXISTS ix_contacts_phone_digits_trgm ON contacts "
        + gin.format(digits_sql("phone")),
        f"CREATE INDEX IF NOT EXISTS ix_emails_address_trgm ON emails {gin.format('address_normalized')}",
        "CREATE INDEX IF NOT EXISTS ix_contacts_external_id_lower ON contacts (lower(external_id))",
    ]


def install(connection: Connection) -> None:
    """Create the search indexes (idempotent); both tables must exist."""
    if connection.dialect.name == "sqlite":
        for statement in _sqlite_statements():
            connection.execute(text(statement))
    elif connection.dialect.name == "postgresql" and (schema := _trigram_schema(connection)):
        for statement in _postgres_statements(schema):
            connection.execute(text(statement))


def _trigram_schema(connection: Connection) -> str | None:
    """The schema pg_trgm lives in, created in ``public`` when missing (a savepoint keeps a refusal,
    e.g. no privilege, from failing the migration); None: search without the indexes."""
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except Exception:
        return None
    found = connection.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()
    return str(found) if found else None


def install_after_create(emails: Table) -> None:
    """``create_all`` installs the indexes once the emails table (created after contacts) exists."""

    @event.listens_for(emails, "after_create")
    def _installed(_target: Table, connection: Connection, **_kw: object) -> None:
        install(connection)


def uninstall(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for trigger in ("contact_search_ai", "contact_search_ad", "contact_search_au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        connection.execute(text("DROP TABLE IF EXISTS contact_search"))
        connection.execute(text("DROP VIEW IF EXISTS contact_search_source"))
    for index in _INDEXES:
        connection.execute(text(f"DROP INDEX IF EXISTS {index}"))
