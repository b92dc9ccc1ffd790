"""What goes in and out of the group service: groups, bulk results, and memberships with history."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, computed_field

from constituent.crm.groups.models import MembershipMethod, MembershipStatus

METHOD_LABELS = {
    MembershipMethod.user: "User",
    MembershipMethod.api: "API",
    MembershipMethod.import_: "Import",
}


def membership_label(status: MembershipStatus, method: MembershipMethod | None) -> str:
    """What people see, e.g. "Removed (by API)" after a Mailchimp unsubscribe."""
    word = "Added" if status == MembershipStatus.added else "Removed"
    return f"{word} (by {METHOD_LABELS[method]})" if method else word


class GroupOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    created_at: datetime
    member_count: int = 0


class AddResult(BaseModel):
    added: list[int]
    already_members: list[int]
    unknown: list[int]


class RemoveResult(BaseModel):
    removed: list[int]
    not_members: list[int]
    unknown: list[int]


class MembershipView(BaseModel):
    """One stint of a contact in a group; past stints carry when and how they ended."""

    membership_id: int
    group_id: int
    group_name: str
    contact_id: int
    status: MembershipStatus
    method: MembershipMethod
    added_at: datetime
    removed_at: datetime | None
    removed_method: MembershipMethod | None
    removed_reason: str
    group_deleted: bool = False  # the group itself was deleted: shown in the history, never rejoined

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        if self.status == MembershipStatus.added:
            return membership_label(self.status, self.method)
        return membership_label(self.status, self.removed_method)


class ContactGroups(BaseModel):
    current: list[MembershipView]
    past: list[MembershipView]

    def rejoinable(self) -> set[int]:
        """The past memberships a Rejoin is offered on: the latest stint of each group the contact is not
        in now (``rejoin_group`` refuses a current member; one button per group, not one per stint)."""
        current = {m.group_id for m in self.current}
        latest: dict[int, MembershipView] = {}
        for stint in self.past:
            kept = latest.get(stint.group_id)
            if stint.group_deleted:
                continue
            if stint.group_id not in current and (kept is None or stint.membership_id > kept.membership_id):
                latest[stint.group_id] = stint
        return {m.membership_id for m in latest.values()}


class MemberView(BaseModel):
    membership_id: int
    contact_id: int
    display_name: str
    method: MembershipMethod
    added_at: datetime
