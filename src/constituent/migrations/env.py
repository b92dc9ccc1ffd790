"""Alembic environment: runs against the engine given by ``constituent.kit.migrate``."""

from __future__ import annotations

from alembic import context

from constituent.kit.db import made_here
from constituent.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `constituent db upgrade`")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # An index made on the other database only is not this one's to compare (kit.db.made_here).
        include_object=lambda item, _name, kind, *_: made_here(connection.dialect.name, item, kind),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
