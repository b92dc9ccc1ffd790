"""The Alembic migrations build the same schema the models describe, on both databases."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from constituent.crm.contacts import search_index
from constituent.kit import migrate
from constituent.kit.db import made_here
from constituent.models import Base
from tests.conftest import TestDatabase


def test_upgrade_creates_every_table_the_models_define(empty_db: TestDatabase) -> None:
    migrate.upgrade(empty_db.engine)
    tables = set(inspect(empty_db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_leave_no_difference_from_the_models(empty_db: TestDatabase) -> None:
    migrate.upgrade(empty_db.engine)
    with empty_db.engine.connect() as connection:
        # The search box's FTS5 tables (and their shadow tables) are not models: search_index.py makes them.
        opts = {
            "compare_type": True,
            "include_name": _not_a_search_table,
            "include_object": lambda item, name, kind, *_: (
                _not_a_search_table(name, kind, None) and made_here(connection.dialect.name, item, kind)
            ),
        }
        context = MigrationContext.configure(connection, opts=opts)
        with warnings.catch_warnings():
            # SQLAlchemy cannot reflect expression indexes (the search box's); they are not models.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            diff = compare_metadata(context, Base.metadata)
    assert diff == []


def _not_a_search_table(name: str | None, _kind: str, _parents: object) -> bool:
    return name is None or not search_index.is_search_object(name)


def test_upgrade_twice_is_harmless(empty_db: TestDatabase) -> None:
    migrate.upgrade(empty_db.engine)
    migrate.upgrade(empty_db.engine)
    assert "contacts" in inspect(empty_db.engine).get_table_names()
