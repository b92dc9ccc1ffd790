"""The benchmarks' data generator keeps up with the schema: a column added by a migration (groups'
``deleted_at``, 0027) once broke every sync benchmark at its first step, unnoticed by the suite."""

from __future__ import annotations

from datetime import date

from bench.seed import seed
from sqlalchemy import func, select

from constituent.crm.contacts.models import Contact
from constituent.crm.groups.models import Group
from tests.conftest import TestDatabase


def test_the_benchmark_seed_fills_a_database_of_the_current_schema(db: TestDatabase) -> None:
    summary = seed(db.engine, contacts=300, seed=7, as_of=date(2026, 11, 1))

    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 300 == summary.contacts
        assert session.scalar(select(func.count()).select_from(Group).where(Group.deleted_at.is_(None))) > 0
    assert summary.emails > 0 and summary.memberships > 0 and summary.contributions > 0
