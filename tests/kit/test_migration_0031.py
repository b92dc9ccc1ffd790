"""Migration 0031: on PostgreSQL the ledger's contact and person indexes hold their own column alone
(``test_ledger_plans.py`` says why); SQLite keeps the integration second in them. Stored rows stay."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit import migrate
from tests.conftest import TestDatabase
from tests.integrations.mailchimp.sync.desired_helpers import add_integration

OURS = ("ix_mailchimp_ledger_contact", "ix_mailchimp_ledger_person_id")
TWO_COLUMNS = {
    "ix_mailchimp_ledger_contact": ["contact_id", "integration_id"],
    "ix_mailchimp_ledger_person_id": ["mc_contact_id", "integration_id"],
}
ONE_COLUMN = {
    "ix_mailchimp_ledger_contact": ["contact_id"],
    "ix_mailchimp_ledger_person_id": ["mc_contact_id"],
}


def _indexes(database: TestDatabase) -> dict[str, list[str]]:
    found = inspect(database.engine).get_indexes("mailchimp_ledger")
    return {index["name"]: list(index["column_names"]) for index in found if index["name"] in OURS}


def _ledger_rows(database: TestDatabase) -> int:
    with database.engine.connect() as connection:
        return int(connection.scalar(text("SELECT count(*) FROM mailchimp_ledger")) or 0)


def _add_a_member(database: TestDatabase) -> None:
    with Session(database.engine) as session:
        integration = add_integration(session)
        session.add(
            LedgerRow(
                integration_id=integration.id,
                subscriber_hash="h1",
                email="ada@mailbox.org",
                status=RemoteStatus.subscribed,
                mc_contact_id="p1",
            )
        )
        session.commit()


def test_postgresql_keeps_the_contact_alone_in_its_index_and_sqlite_keeps_the_integration_second(
    empty_db: TestDatabase,
) -> None:
    migrate.upgrade(empty_db.engine, "0030")
    _add_a_member(empty_db)
    assert _indexes(empty_db) == TWO_COLUMNS

    migrate.upgrade(empty_db.engine)

    expected = ONE_COLUMN if empty_db.dialect == "postgresql" else TWO_COLUMNS
    assert _indexes(empty_db) == expected
    assert _ledger_rows(empty_db) == 1


def test_downgrading_puts_the_integration_back_in_both_indexes(empty_db: TestDatabase) -> None:
    migrate.upgrade(empty_db.engine)
    config = migrate.alembic_config(empty_db.engine)
    with empty_db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0030")

    assert _indexes(empty_db) == TWO_COLUMNS
