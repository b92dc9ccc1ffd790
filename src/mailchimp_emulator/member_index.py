"""What the member listing and the interests' counts read, made once while an audience's members stay the
same: its members grouped by status (in the audience's order) and each interest's member count.

A nightly sync's reconcile asks a 686,000-member audience for its members of each status changed since
its last run (six queries at once) and for its interests. Each query was a pass over every member, and
each interest's count another: about 100 ms of this single-threaded server's time apiece, so six requests
sent together were answered one after the other, a tenth of a second apart, and the interests' answer
last of all, 1.3 s after it was asked for (docs/BENCHMARKS.md, session 20). The real service answers
concurrent requests side by side; one pass, kept until a member changes, answers them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the state holds an index of its members
    from mailchimp_emulator.state import Member


@dataclass(frozen=True, slots=True)
class MemberIndex:
    by_status: dict[str, list[Member]]
    interest_counts: Counter[str]  # members with the interest ticked, whatever their status

    @classmethod
    def of(cls, members: Iterable[Member]) -> MemberIndex:
        by_status: dict[str, list[Member]] = {}
        counts: Counter[str] = Counter()
        for member in members:
            group = by_status.get(member.status)
            if group is None:
                group = by_status[member.status] = []
            group.append(member)
            if member.interests:
                counts.update(key for key, ticked in member.interests.items() if ticked)
        return cls(by_status, counts)

    def with_status(self, status: str) -> list[Member]:
        return self.by_status.get(status, [])
