"""Users (argon2 passwords, admin | staff) and their personal API tokens. Services never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy.orm import Session

from constituent.auth import passwords, repository
from constituent.auth.models import ApiToken, Role, User
from constituent.auth.tokens import generate_token, hash_token, looks_like_token
from constituent.crm.contacts.emails import InvalidEmail, normalise_email
from constituent.crm.errors import Conflict, InvalidInput, NotFound
from constituent.kit.clock import utcnow

# Writing last_used_at on every request would turn each read into a write; once a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)
TOKEN_NAME_MAX = 100


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``raw`` exists only here, to be shown once; the database keeps its hash."""

    token: ApiToken
    raw: str


def _normalised_user_email(email: str) -> str:
    try:
        return normalise_email(email).normalized
    except InvalidEmail as exc:
        raise InvalidInput("email", str(exc)) from exc


def create_user(session: Session, email: str, password: str, *, role: Role = Role.staff) -> User:
    address = _normalised_user_email(email)
    if repository.get_user_by_email(session, address) is not None:
        raise Conflict(f"a user with email {address} already exists")
    user = User(email=address, password_hash=passwords.hash_password(password), role=role, is_active=True)
    repository.add(session, user)
    return user


def get_user_by_email(session: Session, email: str) -> User:
    address = _normalised_user_email(email)
    user = repository.get_user_by_email(session, address)
    if user is None:
        raise NotFound("user", address)
    return user


def list_users(session: Session) -> Sequence[User]:
    return repository.list_users(session)


def set_password(session: Session, email: str, password: str) -> User:
    user = get_user_by_email(session, email)
    user.password_hash = passwords.hash_password(password)
    user.session_generation += 1  # every browser session of this user ends
    session.flush()
    return user


def end_sessions(session: Session, user_id: int) -> int:
    """End every browser session of the user (logout): returns the generation new sessions carry."""
    user = repository.get_user(session, user_id)
    if user is None:
        return 0
    user.session_generation += 1
    session.flush()
    return user.session_generation


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return passwords.hash_password("decoy-password-never-matches")


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same cost whether or not the user exists)."""
    try:
        address = _normalised_user_email(email)
    except InvalidInput:
        return None
    user = repository.get_user_by_email(session, address)
    if user is None or not user.is_active:
        passwords.verify_password(_decoy_hash(), password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    session.flush()
    return user


def create_token(session: Session, email: str, *, name: str = "") -> IssuedToken:
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidInput("name", f"must be at most {TOKEN_NAME_MAX} characters")
    user = get_user_by_email(session, email)
    new = generate_token()
    token = ApiToken(user=user, name=name, token_hash=new.token_hash, prefix=new.prefix)
    repository.add(session, token)
    return IssuedToken(token=token, raw=new.raw)


def list_tokens(session: Session) -> Sequence[ApiToken]:
    return repository.list_tokens(session)


def revoke_token(session: Session, token_id: int) -> ApiToken:
    token = repository.get_token(session, token_id)
    if token is None:
        raise NotFound("token", token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def authenticate_token(session: Session, raw: str) -> ApiToken | None:
    """The live token for this raw string (not revoked, its user active), or None."""
    if not looks_like_token(raw):
        return None
    token = repository.get_token_by_hash(session, hash_token(raw))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        session.flush()
    return token
