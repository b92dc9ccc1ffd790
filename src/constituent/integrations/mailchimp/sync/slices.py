"""A run in slices: contacts are read, planned and applied a slice at a time, so a run's memory follows
the slice, not the audience (issue 17).

Each slice is planned like an incremental run over its contacts (``planning.slice_inputs``): their
ledger rows, the desired members of their addresses (with every contact sharing an address), and the
ledger rows of those addresses. A full run slices every contact in id order; an incremental run its
sorted candidates. A run of several slices starts with a quarter of a slice, then half of one
(``slice_sizes``): nothing goes to Mailchimp before the first slice is planned, and the next slice is
planned while this one is sent, so a small first slice gets the requests going sooner (a first sync of
20,000 members planned 0.8 s before its first request).

Two slices can meet the same address: a shared address whose contacts fall in different slices, or an
address a contact had before (its ledger row) that another contact has now. ``Overlap`` gives such an
address to the first slice that meets it and leaves it out of every later slice's scope, so it is
planned once (a dry run counts it once, and a later slice never reads it as a leaver to archive).

``Tally`` adds the slices up into what the run row records: the counts, the notices, the guard's
archive count.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice

from constituent.integrations.mailchimp.sync.desired import SHARED_EMAIL
from constituent.integrations.mailchimp.sync.plan_report import PlanCounts, count_operations
from constituent.integrations.mailchimp.sync.planning import Inputs
from constituent.integrations.mailchimp.sync.types import DesiredMember, Notice, Plan

NOTICES_KEPT = 1000  # notices kept on the run
RAMP = (4, 2)  # a run of several slices starts with slices of a quarter, then a half, of the full size


def slice_sizes(size: int, total: int) -> Iterator[int]:
    """The size of each slice of a run looking at ``total`` contacts, ``size`` at most, without end (a
    full run reads until the contacts run out). One slice when it holds them all."""
    if total > size:
        for divisor in RAMP:
            yield max(1, size // divisor)
    while True:
        yield size


def slice_count(size: int, total: int) -> int:
    """How many slices ``slice_sizes`` makes of ``total`` contacts (one at least)."""
    covered = 0
    for count, step in enumerate(slice_sizes(size, total), start=1):
        covered += step
        if covered >= total:
            return count
    raise AssertionError("slice_sizes never ends")  # pragma: no cover


def cut(contact_ids: list[int], size: int) -> Iterator[list[int]]:
    """The candidates in slices (``slice_sizes``); always at least one (possibly empty) slice, because
    the first slice also looks at the members of deleted contacts."""
    start = 0
    for step in islice(slice_sizes(size, len(contact_ids)), slice_count(size, len(contact_ids))):
        yield contact_ids[start : start + step]
        start += step


@dataclass
class Overlap:
    """Addresses planned by an earlier slice that a later one may build again (see the module doc)."""

    planned: set[str] = field(default_factory=set)

    def restrict(self, inputs: Inputs, contact_ids: Collection[int]) -> Inputs:
        """This slice's inputs without what an earlier slice planned; remembers what a later one may meet."""
        inside = frozenset(contact_ids)
        members = {h: m for h, m in inputs.desired.members.items() if h not in self.planned}
        scope = frozenset(h for h in inputs.scope or () if h not in self.planned)
        for subscriber_hash, member in members.items():
            if not inside.issuperset(member.contact_ids):
                self.planned.add(subscriber_hash)
        for subscriber_hash in scope:
            entry = inputs.ledger.get(subscriber_hash)
            if entry is not None and entry.contact_id is not None and entry.contact_id not in inside:
                self.planned.add(subscriber_hash)
        desired = replace(inputs.desired, members=members, notices=_notices_of(inputs, members))
        return replace(inputs, desired=desired, scope=scope)


def _notices_of(inputs: Inputs, members: dict[str, DesiredMember]) -> list[Notice]:
    """The layout's notices, and the shared-address notices of the members this slice plans."""
    shared_here = {m.contact_ids for m in members.values() if len(m.contact_ids) > 1}
    return [
        notice
        for notice in inputs.desired.notices
        if notice.kind != SHARED_EMAIL or notice.contact_ids in shared_here
    ]


@dataclass
class Tally:
    """The slices of a run added up."""

    counts: PlanCounts = field(default_factory=PlanCounts)
    notices: dict[str, None] = field(default_factory=dict)  # in order, each once
    report_total: int = 0

    def add(self, plan: Plan, notices: list[str]) -> None:
        self.counts = _sum(self.counts, count_operations(plan))
        for message in notices:
            if len(self.notices) < NOTICES_KEPT:
                self.notices.setdefault(message, None)

    @property
    def archives(self) -> int:
        return self.counts.archived


def _sum(one: PlanCounts, other: PlanCounts) -> PlanCounts:
    return PlanCounts(**{name: value + other.as_dict()[name] for name, value in one.as_dict().items()})
