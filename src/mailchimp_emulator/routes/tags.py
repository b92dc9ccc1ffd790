"""/3.0 routes: tags."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
