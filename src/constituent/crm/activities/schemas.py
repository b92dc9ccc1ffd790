"""API shapes for activities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, computed_field

from constituent.crm.activities.types import LoggedType, activity_label


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    contact_id: int
    type: str
    subject: str
    occurred_at: datetime
    source: str
    details: dict[str, Any]
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def type_label(self) -> str:
        """The type in words ("Email sent"), as the pages show it."""
        return activity_label(self.type)


class ActivityLog(BaseModel):
    """A note, call, meeting or email logged by a person; ``occurred_at`` defaults to now (UTC ISO-8601)."""

    model_config = ConfigDict(extra="forbid")

    type: LoggedType
    subject: str = Field(min_length=1, max_length=300, description="What happened, in a few words.")
    occurred_at: AwareDatetime | None = Field(default=None, description="When; with a time zone.")
