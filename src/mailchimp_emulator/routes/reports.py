"""/3.0 routes for reports (filled by the webhooks/campaigns/batches work). Mounted under /3.0: declare paths like "/lists/{list_id}"."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
