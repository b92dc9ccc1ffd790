"""The Alembic migrations build the same schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from constituent.kit import migrate
from constituent.models import Base
from tests.conftest import TestDatabase


def test_upgrade_creates_every_table_the_models_define(empty_db: TestDatabase) -> None:
    migrate.upgrade(empty_db.engine)
    tables = set(inspect(empty_db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_leave_no_difference_from_the_models(empty_db: TestDatabase) -> None:
    migrate.upgrade(empty_db.engine)
    with empty_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(empty_db: TestDatabase) -> None:
    migrate.upgrade(empty_db.engine)
    migrate.upgrade(empty_db.engine)
    assert "contacts" in inspect(empty_db.engine).get_table_names()
