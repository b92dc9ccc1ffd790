"""The single organization settings row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.crm.organization.models import SETTINGS_ROW_ID, OrganizationSettings
from constituent.kit.upsert import insert_unless_exists

# The session's identity map holds an unchanged row weakly: dropped once no caller holds it, the next
# ``session.get`` asks the database again (a sync's layout asked for it sixteen times). Held here for the
# transaction that read it, not longer: sessions keep their objects past a commit (expire_on_commit is
# off), so a row held on would hide what was saved since from a session that outlives its transaction.
_HELD = "organization_settings"


def get(session: Session) -> OrganizationSettings | None:
    _let_go_of_an_earlier_read(session)
    settings = session.get(OrganizationSettings, SETTINGS_ROW_ID)  # begins a transaction if none is open
    if settings is not None:
        session.info[_HELD] = (session.get_transaction(), settings)
    return settings


def _let_go_of_an_earlier_read(session: Session) -> None:
    """Forget the row held by an earlier transaction (or when none is open yet), so it is read anew."""
    held = session.info.get(_HELD)
    if held is not None and held[0] is not session.get_transaction():
        del session.info[_HELD]


def create_default_unless_exists(session: Session) -> None:
    insert_unless_exists(
        session, OrganizationSettings, {"id": SETTINGS_ROW_ID}, unique=OrganizationSettings.id
    )
