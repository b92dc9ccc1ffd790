"""/3.0 routes: interests."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
