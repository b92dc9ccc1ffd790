"""/3.0 routes: batch_subscribe."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
