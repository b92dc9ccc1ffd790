"""What every API request depends on: one database session (the transaction) and the caller's token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from constituent.auth.models import Role
from constituent.auth.service import authenticate_token
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's user. ``actor`` is what the change log records."""

    user_id: int
    email: str
    role: Role
    token_id: int

    @property
    def actor(self) -> str:
        return f"api:token-{self.token_id}"


def database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


def _request_session(request: Request) -> Iterator[Session]:
    # The request is the transaction boundary: commit once when the endpoint returns, roll back on error.
    with session_scope(database(request).sessions) as session:
        yield session


# "function" scope commits before the response is sent, so a client never sees a 2xx for a rolled-back write.
SessionDep = Annotated[Session, Depends(_request_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="A personal API token: `constituent tokens create EMAIL`.")


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED, detail=reason, headers={"WWW-Authenticate": "Bearer"}
    )


def current_principal(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise _unauthorized("missing Bearer token")
    token = authenticate_token(session, credentials.credentials)
    if token is None:
        raise _unauthorized("invalid or revoked token")
    return Principal(user_id=token.user.id, email=token.user.email, role=token.user.role, token_id=token.id)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_admin(principal: PrincipalDep) -> Principal:
    if principal.role != Role.admin:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="administrators only")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]
