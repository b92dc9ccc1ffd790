"""Users keep only argon2 hashes of passwords; API tokens only a sha256 hash and a short prefix."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from constituent.auth import service
from constituent.auth.models import Role
from constituent.crm.errors import Conflict, InvalidInput, NotFound


def test_a_password_is_stored_as_an_argon2id_hash(session: Session) -> None:
    service.create_user(session, "Admin@Example.org", "correct horse battery", role=Role.admin)
    session.commit()
    stored = session.execute(text("SELECT email, password_hash, role FROM users")).one()
    assert stored.email == "admin@example.org"
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert stored.role == "admin"


@pytest.mark.slow
def test_authenticate_accepts_only_the_right_password_of_an_active_user(session: Session) -> None:
    user = service.create_user(session, "staff@example.org", "s3cret-enough")
    assert service.authenticate(session, "STAFF@example.org", "s3cret-enough") is user
    assert user.last_login_at is not None
    assert service.authenticate(session, "staff@example.org", "wrong-password") is None
    assert service.authenticate(session, "nobody@example.org", "s3cret-enough") is None
    user.is_active = False
    assert service.authenticate(session, "staff@example.org", "s3cret-enough") is None


def test_a_short_password_is_rejected_naming_the_field(session: Session) -> None:
    with pytest.raises(InvalidInput) as error:
        service.create_user(session, "a@example.org", "short")
    assert error.value.field == "password"


def test_a_bad_user_email_is_rejected_naming_the_field(session: Session) -> None:
    with pytest.raises(InvalidInput) as error:
        service.create_user(session, "not-an-email", "long enough password")
    assert error.value.field == "email"


def test_two_users_cannot_share_an_email_whatever_its_case(session: Session) -> None:
    service.create_user(session, "dup@example.org", "long enough password")
    with pytest.raises(Conflict):
        service.create_user(session, "DUP@example.org", "another long password")


def test_setting_a_password_replaces_the_old_one(session: Session) -> None:
    service.create_user(session, "reset@example.org", "the first password")
    service.set_password(session, "reset@example.org", "the second password")
    assert service.authenticate(session, "reset@example.org", "the first password") is None
    assert service.authenticate(session, "reset@example.org", "the second password") is not None


def test_a_token_is_stored_only_as_its_sha256_and_a_short_prefix(session: Session) -> None:
    service.create_user(session, "api@example.org", "long enough password")
    issued = service.create_token(session, "api@example.org", name="scripts")
    session.commit()
    row = session.execute(text("SELECT name, token_hash, prefix FROM api_tokens")).one()
    assert issued.raw.startswith("cst_") and len(issued.raw) > 40
    assert row.token_hash == hashlib.sha256(issued.raw.encode()).hexdigest()
    assert issued.raw.startswith(row.prefix) and len(row.prefix) == 12
    assert row.name == "scripts"


def test_a_token_authenticates_until_it_is_revoked(session: Session) -> None:
    service.create_user(session, "api@example.org", "long enough password")
    issued = service.create_token(session, "api@example.org")
    token = service.authenticate_token(session, issued.raw)
    assert token is not None and token.user.email == "api@example.org"
    assert token.last_used_at is not None
    service.revoke_token(session, issued.token.id)
    assert service.authenticate_token(session, issued.raw) is None


def test_unknown_or_malformed_tokens_do_not_authenticate(session: Session) -> None:
    service.create_user(session, "api@example.org", "long enough password")
    issued = service.create_token(session, "api@example.org")
    assert service.authenticate_token(session, issued.raw + "x") is None
    assert service.authenticate_token(session, "") is None
    assert service.authenticate_token(session, issued.token.token_hash) is None


def test_an_inactive_users_tokens_stop_working(session: Session) -> None:
    user = service.create_user(session, "leaver@example.org", "long enough password")
    issued = service.create_token(session, "leaver@example.org")
    user.is_active = False
    assert service.authenticate_token(session, issued.raw) is None


def test_a_token_for_an_unknown_user_or_revoking_an_unknown_token_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        service.create_token(session, "ghost@example.org")
    with pytest.raises(NotFound):
        service.revoke_token(session, 404)
