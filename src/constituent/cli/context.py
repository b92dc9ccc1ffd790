"""What every CLI command needs: a migrated database, one transaction, and domain errors as messages.

The schema is brought up to date on first use in each process (safe to repeat: Alembic does nothing
when the database is already at head), so a newcomer never has to remember ``constituent db upgrade``.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from constituent.cli.output import fail
from constituent.crm.errors import DomainError, DuplicateEmail
from constituent.integrations.mailchimp.errors import MailchimpError
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database, get_database

_migrated: set[str] = set()


def migrated_database() -> Database:
    database = get_database()
    url = str(database.engine.url)
    if url not in _migrated:
        from constituent.kit import migrate  # Alembic is slow to import; only the first use pays

        migrate.upgrade(database.engine)
        _migrated.add(url)
    return database


# Exit codes: 1 the request was refused (by us or by Mailchimp), 3 Mailchimp could not be reached or
# failed (trying again later may work). 2 is Typer's (and our) code for a bad option or value.
REFUSED = 1
MAILCHIMP_UNAVAILABLE = 3


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a domain error or Mailchimp's error into ``error: <sentence>`` on stderr and an exit code."""
    try:
        yield
    except DuplicateEmail as exc:  # only commands offering --allow-duplicate ask for the check
        fail(f"{exc} (--allow-duplicate adds it anyway)", REFUSED)
    except DomainError as exc:
        fail(str(exc), REFUSED)
    except MailchimpError as exc:
        fail(exc.describe(), MAILCHIMP_UNAVAILABLE if exc.retryable else REFUSED)


@contextmanager
def open_session() -> Iterator[Session]:
    """The command's one transaction: commits when the block ends, rolls back on any error."""
    with reported_errors(), session_scope(migrated_database().sessions) as session:
        yield session


def cli_actor() -> str:
    """Who the change log credits for a command: the operating-system user running it."""
    return f"cli:{getpass.getuser()}"
