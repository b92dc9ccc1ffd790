"""Schema migrations with Alembic, run programmatically (no alembic.ini to find at run time)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        if revision == "head" and _current(connection) == head_revision():
            # Already at head: every CLI command and test asks, and running Alembic's environment
            # (which loads every migration file) to find nothing to do cost half a second each time.
            return
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@functools.cache
def head_revision() -> str | None:
    """The newest migration (read once per process)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def autogenerate(engine: Engine, message: str) -> None:
    """Developer helper: write a new revision from the models' difference to the database."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


def stamp(engine: Engine, revision: str = "head") -> None:
    """Mark a schema built from the models (tests) as migrated, so ``upgrade`` finds nothing to do."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.stamp(config, revision)
