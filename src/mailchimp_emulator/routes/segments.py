"""/3.0 routes: segments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
