"""Organization settings: one row, created on first read, changed field by field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from constituent.crm.organization.models import OrganizationSettings
from constituent.crm.organization.schemas import OrganizationSettingsUpdate
from constituent.crm.organization.service import get_settings, update_settings
from constituent.crm.searches.repository import major_donor_threshold
from tests.conftest import TestDatabase


def test_reading_the_settings_creates_the_single_row_once(session: Session) -> None:
    first = get_settings(session)
    second = get_settings(session)
    session.commit()
    assert first is second
    assert first.country == "US" and first.major_donor_threshold == Decimal("1000")
    assert session.scalar(select(func.count()).select_from(OrganizationSettings)) == 1


def test_an_update_changes_only_the_fields_given(session: Session) -> None:
    update_settings(
        session, OrganizationSettingsUpdate(organization_name="Friends of the Park", city="Leeds")
    )
    update_settings(session, OrganizationSettingsUpdate(from_email=" hello@friends.example ", country="gb"))
    session.commit()
    settings = get_settings(session)
    assert settings.organization_name == "Friends of the Park"
    assert settings.city == "Leeds"
    assert settings.from_email == "hello@friends.example"
    assert settings.country == "GB"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"from_email": "not an email"}, "from_email"),
        ({"country": "USA"}, "country"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"major_donor_threshold": "-5"}, "major_donor_threshold"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_settings_are_rejected_naming_the_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        OrganizationSettingsUpdate.model_validate(changes)
    assert error.value.errors()[0]["loc"] == (field,)


def test_a_session_sees_settings_saved_elsewhere_once_its_transaction_ends(db: TestDatabase) -> None:
    """The row a session holds (so a sync's layout reads it once, not once per quick list) is held for
    one transaction: a worker's session that outlives it reads what an administrator saved since."""
    with db.sessions() as setup:
        get_settings(setup)  # the row every migrated database has
        setup.commit()
    with db.sessions() as worker:
        assert major_donor_threshold(worker) == Decimal("1000")
        worker.commit()
        with db.sessions() as page:
            update_settings(page, OrganizationSettingsUpdate(major_donor_threshold=Decimal("250")))
            page.commit()
        assert major_donor_threshold(worker) == Decimal("250")
