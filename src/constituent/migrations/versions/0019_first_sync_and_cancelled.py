"""a run's trigger may be "first_sync" and its status "cancelled"

Revision ID: 0019
Revises: 0027
Create Date: 2026-12-05 07:40:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0019"
down_revision = "0027"
branch_labels = None
depends_on = None

_TRIGGERS = ("cli", "api", "schedule", "ui")
_STATUSES = ("queued", "running", "succeeded", "failed", "needs_confirmation", "interrupted")
# (constraint, column, values before, values after)
_CHECKS = (
    ("sync_run_trigger", "trigger", _TRIGGERS, (*_TRIGGERS, "first_sync")),
    ("sync_run_status", "status", _STATUSES, (*_STATUSES, "cancelled")),
)


def upgrade() -> None:
    for name, column, before, after in _CHECKS:
        _replace_check(name, column, before, after)


def downgrade() -> None:
    op.execute("UPDATE sync_runs SET \"trigger\" = 'ui' WHERE \"trigger\" = 'first_sync'")
    op.execute("UPDATE sync_runs SET status = 'interrupted' WHERE status = 'cancelled'")
    for name, column, before, after in _CHECKS:
        _replace_check(name, column, after, before)


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _replace_check(name: str, column: str, before: tuple[str, ...], after: tuple[str, ...]) -> None:
    constraint = f"ck_sync_runs_{name}"
    if op.get_bind().dialect.name != "sqlite":
        # op.f: the name is final (the naming convention would prefix it again).
        op.drop_constraint(op.f(constraint), "sync_runs", type_="check")
        op.create_check_constraint(op.f(constraint), "sync_runs", f'"{column}" IN ({_in_list(after)})')
        return
    # SQLite cannot alter a CHECK, and a batch copy of sync_runs would cascade-delete every run's plan,
    # notices and report (foreign keys are on). A CHECK changes no stored row, so the table's definition
    # is edited in place: SQLite's documented way for such changes (ALTER TABLE, "other changes").
    old = f'CHECK ("{column}" IN ({_in_list(before)}))'
    if column == "status":
        old = old.replace('"status"', "status")
    new = old.replace(f"({_in_list(before)})", f"({_in_list(after)})")
    bind = op.get_bind()
    version = bind.execute(text("PRAGMA schema_version")).scalar_one()
    bind.execute(text("PRAGMA writable_schema = ON"))
    changed = bind.execute(
        text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new)"
            " WHERE type = 'table' AND name = 'sync_runs' AND instr(sql, :old) > 0"
        ),
        {"old": old, "new": new},
    ).rowcount
    bind.execute(text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(text("PRAGMA writable_schema = OFF"))
    if changed != 1:
        raise RuntimeError(f"sync_runs has no {constraint} of the expected form; nothing was changed")
