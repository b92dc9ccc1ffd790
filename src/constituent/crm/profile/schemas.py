"""The profile's figures as plain values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class TabCounts(BaseModel):
    """Shown beside each tab's name: "Contributions (6)"."""

    contributions: int
    activities: int
    groups: int  # current groups
    changes: int

    def of(self, tab: str) -> int | None:
        return getattr(self, tab, None) if tab in type(self).model_fields else None


class GivingInCurrency(BaseModel):
    currency: str
    total: Decimal
    gifts: int
    first: date
    last: date
    largest: Decimal
