"""Migration 0030 gives every database its organization settings row, holding the defaults the code
assumed while there was none, and keeps a row someone already saved."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from constituent.crm.organization.models import OrganizationSettings
from constituent.crm.organization.service import get_settings
from constituent.crm.searches.quick_lists import ensure_quick_lists
from constituent.crm.searches.service import filter_of, list_searches
from constituent.kit import migrate
from constituent.kit.clock import utcnow
from tests.conftest import TestDatabase

COMPARED = [column.name for column in OrganizationSettings.__table__.columns if column.name != "updated_at"]


def test_a_migrated_database_holds_the_settings_row_the_settings_page_would_have_created(
    empty_db: TestDatabase,
) -> None:
    migrate.upgrade(empty_db.engine)
    with Session(empty_db.engine) as session:
        migrated = session.get(OrganizationSettings, 1)
        assert migrated is not None
        # Dated before any sync: no run takes the quick lists for redefined because of it.
        assert migrated.updated_at.year < utcnow().year
        stored = {name: getattr(migrated, name) for name in COMPARED}
        session.delete(migrated)
        session.flush()
        created = get_settings(session)  # the page's own "created on first read"
        assert stored == {name: getattr(created, name) for name in COMPARED}
        session.rollback()


def test_a_row_saved_before_the_migration_is_kept_as_it_was(empty_db: TestDatabase) -> None:
    migrate.upgrade(empty_db.engine, "0029")
    with Session(empty_db.engine) as session:
        settings = get_settings(session)
        settings.major_donor_threshold = Decimal("250")
        settings.organization_name = "Friends of the Park"
        session.commit()
    migrate.upgrade(empty_db.engine)
    with Session(empty_db.engine) as session:
        assert session.scalar(select(func.count()).select_from(OrganizationSettings)) == 1
        kept = session.get(OrganizationSettings, 1)
        assert kept is not None
        assert (kept.major_donor_threshold, kept.organization_name) == (Decimal("250"), "Friends of the Park")


def test_on_a_migrated_database_the_quick_lists_filters_read_the_settings_once_a_session(
    empty_db: TestDatabase,
) -> None:
    migrate.upgrade(empty_db.engine)
    today = utcnow().date()
    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM organization_settings" in statement:
            reads.append(statement)

    with Session(empty_db.engine) as session:
        ensure_quick_lists(session, today)
        session.commit()
        event.listen(empty_db.engine, "before_cursor_execute", count)
        try:
            quick_lists = [s for s in list_searches(session, today=today) if s.quick_list is not None]
            filters = [filter_of(session, search, today) for search in quick_lists]
        finally:
            event.remove(empty_db.engine, "before_cursor_execute", count)
    assert len(filters) == 5
    assert len(reads) == 1  # a sync's layout evaluates each quick list three times
