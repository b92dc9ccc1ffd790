"""Re-encrypt every stored secret with the newest key. Tables holding secrets register here."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.runtime import database_for
from constituent.kit.settings import Settings

# Each rotator re-encrypts one table's secrets in the given session and returns how many it touched.
Rotator = Callable[[Session, SecretBox], int]
ROTATORS: list[Rotator] = []


def register_rotator(rotator: Rotator) -> Rotator:
    ROTATORS.append(rotator)
    return rotator


def reencrypt_all_secrets(settings: Settings) -> int:
    box = SecretBox.from_settings(settings)
    database = database_for(settings)
    with session_scope(database.sessions) as session:
        return sum(rotator(session, box) for rotator in ROTATORS)
