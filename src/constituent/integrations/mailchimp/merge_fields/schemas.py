"""Merge-field mappings as the API, CLI and pages show them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from constituent.integrations.mailchimp.merge_fields.models import MergeFieldMapping


class MergeFieldMappingIn(BaseModel):
    tag: str = Field(..., description="Merge tag in Mailchimp: up to 10 letters A-Z, digits or _.")


class MergeFieldMappingOut(BaseModel):
    field: str
    tag: str
    type: str
    merge_id: int

    @classmethod
    def of(cls, mapping: MergeFieldMapping) -> MergeFieldMappingOut:
        return cls(field=mapping.contact_field, tag=mapping.tag, type=mapping.type, merge_id=mapping.merge_id)
