"""OAuth 2 routes (filled by the OAuth work). Mounted at the root: declare full paths like "/oauth2/token"."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
