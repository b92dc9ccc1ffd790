"""What a merge takes from the request, and what the duplicate finder reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from constituent.crm.contacts import fields
from constituent.kit.numbers import DbInt

# The contact's own fields a staffer may take from either contact, in the order forms show them.
MERGEABLE_FIELDS = fields.EDITABLE
# Flags where "yes" on either contact must survive unless the staffer chose otherwise: consent and
# death are facts about the person, whichever record learned them.
STICKY_FLAGS = ("do_not_email", "is_deceased")


class MergeRequest(BaseModel):
    """Merge contact ``other_id`` into the contact in the URL, which survives."""

    model_config = ConfigDict(extra="forbid")

    other_id: DbInt = Field(description="The contact merged away (deleted once everything has moved).")
    take_from_other: list[str] = Field(
        default_factory=list,
        description="Fields whose surviving value is the other contact's; the rest keep the survivor's, "
        "blanks filled from the other. One of: " + ", ".join(MERGEABLE_FIELDS) + ".",
    )


class Reason(enum.StrEnum):
    email = "same email"
    name_and_postal_code = "same name and postal code"
    phone = "same phone"


# How strongly each reason says "one person": pairs are ranked by the sum of theirs.
WEIGHTS = {Reason.email: 4, Reason.name_and_postal_code: 2, Reason.phone: 1}


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    first_id: int  # the lower id: the longer-standing record
    second_id: int
    reasons: tuple[Reason, ...]

    @property
    def score(self) -> int:
        return sum(WEIGHTS[reason] for reason in self.reasons)
