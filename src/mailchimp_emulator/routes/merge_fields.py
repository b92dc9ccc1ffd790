"""/3.0 routes: merge_fields."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
