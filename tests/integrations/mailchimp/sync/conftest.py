"""Fixtures for whole-sync tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from constituent.kit.settings import Settings
from mailchimp_emulator.config import EmulatorConfig
from tests.conftest import TestDatabase
from tests.integrations.mailchimp.conftest import Product
from tests.support.emulator import RunningEmulator


@pytest.fixture
def faulty_product(
    db: TestDatabase, emulator_factory: Callable[..., RunningEmulator], tmp_path: Path
) -> Product:
    """A product on a private emulator, so a test can inject faults without disturbing the others."""
    emulator = emulator_factory(EmulatorConfig())
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db.url,
        mailchimp_api_base=emulator.api_base,
        mailchimp_oauth_base=emulator.base_url,
        base_url="http://127.0.0.1:9",
    )
    return Product(settings, db, emulator)
