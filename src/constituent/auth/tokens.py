"""Personal API tokens: long random strings shown once; only their sha256 and a short prefix are kept."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "cst_"  # noqa: S105 - a public marker (secret scanners match it), not a secret
# The visible prefix lets a person recognise a token in `tokens list` without it being usable.
VISIBLE_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8


@dataclass(frozen=True, slots=True)
class NewToken:
    raw: str
    token_hash: str
    prefix: str


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def generate_token() -> NewToken:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return NewToken(raw=raw, token_hash=hash_token(raw), prefix=raw[:VISIBLE_PREFIX_LENGTH])


def looks_like_token(raw: str) -> bool:
    return raw.startswith(TOKEN_PREFIX) and len(raw) > VISIBLE_PREFIX_LENGTH
