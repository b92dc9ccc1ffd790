"""/3.0 routes: lists."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
