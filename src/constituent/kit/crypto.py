"""Secrets at rest: Fernet with rotatable keys (MultiFernet), keys from settings or the data dir."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from constituent.kit.settings import Settings

KEY_FILE = "secret.keys"


class SecretDecryptError(Exception):
    """A stored secret could not be decrypted with any configured key."""


def _key_file(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE


def load_keys(settings: Settings) -> list[str]:
    """Keys newest first; generates and stores one on first run when none is configured."""
    if settings.secret_keys:
        return [k.strip() for k in settings.secret_keys.split(",") if k.strip()]
    path = _key_file(settings)
    if path.exists():
        return [line.strip() for line in path.read_text().splitlines() if line.strip()]
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    _write_private(path, key + "\n")
    return [key]


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def add_new_key(settings: Settings) -> str:
    """Put a fresh key first in the data-dir key file (rotation step one); returns it."""
    if settings.secret_keys:
        raise RuntimeError(
            "CONSTITUENT_SECRET_KEYS is set: put a new key first in that variable instead "
            "(generate one with `constituent keys generate`)."
        )
    keys = load_keys(settings)
    key = Fernet.generate_key().decode()
    _write_private(_key_file(settings), "\n".join([key, *keys]) + "\n")
    return key


class SecretBox:
    """Encrypts with the newest key, decrypts with any, re-encrypts old ciphertexts on rotate."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one secret key is needed")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        return cls(load_keys(settings))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise SecretDecryptError("stored secret cannot be decrypted with the configured keys") from exc

    def rotate(self, ciphertext: str) -> str:
        return self._fernet.rotate(ciphertext.encode()).decode()
