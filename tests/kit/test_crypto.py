"""Stored secrets are encrypted with rotatable keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from constituent.kit.crypto import SecretBox, SecretDecryptError, add_new_key, load_keys
from constituent.kit.settings import Settings


def test_a_key_is_generated_into_the_data_dir_on_first_use(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    keys = load_keys(settings)
    assert len(keys) == 1
    assert load_keys(settings) == keys
    assert (tmp_path / "secret.keys").stat().st_mode & 0o777 == 0o600


def test_ciphertext_does_not_contain_the_secret_and_round_trips(tmp_path: Path) -> None:
    box = SecretBox.from_settings(Settings(data_dir=tmp_path))
    sealed = box.encrypt("token-1234")
    assert "token-1234" not in sealed
    assert box.decrypt(sealed) == "token-1234"


def test_after_rotation_old_ciphertexts_still_decrypt_and_rotate_to_the_new_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    old_box = SecretBox.from_settings(settings)
    sealed = old_box.encrypt("secret")
    new_key = add_new_key(settings)
    new_box = SecretBox.from_settings(settings)
    rotated = new_box.rotate(sealed)
    assert SecretBox([new_key]).decrypt(rotated) == "secret"


def test_a_wrong_key_gives_a_clear_error() -> None:
    sealed = SecretBox([Fernet.generate_key().decode()]).encrypt("x")
    with pytest.raises(SecretDecryptError):
        SecretBox([Fernet.generate_key().decode()]).decrypt(sealed)
