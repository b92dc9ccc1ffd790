"""/3.0 routes: members."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
