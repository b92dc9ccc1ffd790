"""Who the token belongs to: a cheap way for a script to check its token."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from constituent.auth.models import Role
from constituent.web.deps import PrincipalDep

router = APIRouter(tags=["auth"])


class Me(BaseModel):
    user_id: int
    email: str
    role: Role
    token_id: int


@router.get("/me", response_model=Me)
def whoami(principal: PrincipalDep) -> Me:
    return Me(
        user_id=principal.user_id, email=principal.email, role=principal.role, token_id=principal.token_id
    )
