"""Issue 14's property for tags: after any sequence of renames, deletes, switch-offs and prefix changes,
the tags on every member equal the tags its contact's current searches give, plus the tags made in
Mailchimp. Each step plans with the pure planner and applies the plan both to the ledger
(``apply_to_ledger``) and to a model of Mailchimp's members (tags by address).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from constituent.integrations.mailchimp.sync.planner import PlanOptions, apply_to_ledger, plan
from constituent.integrations.mailchimp.sync.types import AddTag, DesiredMember, LedgerEntry, RemoveTag

CONTACTS = (1, 2, 3, 4)
NAMES = ("Donors", "Volunteers", "Board", "Lapsed")
PREFIXES = ("", "CRM: ")
# Made by someone in Mailchimp: never ours, whatever happens to our searches.
MAILCHIMP_MADE = {1: frozenset({"VIP"}), 3: frozenset({"Gala 2023", "Press"})}


@dataclass
class World:
    searches: dict[int, tuple[str, frozenset[int]]]  # id -> (name, contacts matching)
    switched_off: set[int] = field(default_factory=set)
    prefix: str = ""
    next_id: int = 10

    def given_tags(self, contact_id: int) -> frozenset[str]:
        return frozenset(
            self.prefix + name
            for search_id, (name, members) in self.searches.items()
            if search_id not in self.switched_off and contact_id in members
        )

    def owned(self) -> frozenset[str]:
        """Every tag our searches give today (what the layout calls owned_tags)."""
        return frozenset(self.prefix + n for i, (n, _) in self.searches.items() if i not in self.switched_off)


def desired(world: World) -> dict[str, DesiredMember]:
    return {
        f"h{c}": DesiredMember(
            subscriber_hash=f"h{c}",
            email=f"c{c}@mailbox.org",
            owner_contact_id=c,
            contact_ids=(c,),
            merge_fields={"FNAME": f"C{c}"},
            tags=world.given_tags(c),
        )
        for c in CONTACTS
    }


_MEMBERS = st.frozensets(st.sampled_from(CONTACTS))
_STEPS = st.one_of(
    st.tuples(st.just("rename"), st.integers(0, 20), st.sampled_from(NAMES)),
    st.tuples(st.just("delete"), st.integers(0, 20), st.none()),
    st.tuples(st.just("switch"), st.integers(0, 20), st.none()),
    st.tuples(st.just("prefix"), st.sampled_from(PREFIXES), st.none()),
    st.tuples(st.just("add"), _MEMBERS, st.sampled_from(NAMES)),
    st.tuples(st.just("members"), st.integers(0, 20), _MEMBERS),
)


def step(world: World, action: tuple[object, object, object]) -> None:
    kind, arg, extra = action
    ids = sorted(world.searches)
    pick = ids[int(arg) % len(ids)] if ids and isinstance(arg, int) else None  # type: ignore[arg-type]
    if kind == "rename" and pick is not None:
        world.searches[pick] = (str(extra), world.searches[pick][1])
    elif kind == "delete" and pick is not None:
        del world.searches[pick]
    elif kind == "switch" and pick is not None:
        world.switched_off ^= {pick}
    elif kind == "prefix":
        world.prefix = str(arg)
    elif kind == "add":
        world.searches[world.next_id] = (str(extra), frozenset(arg))  # type: ignore[arg-type]
        world.next_id += 1
    elif kind == "members" and pick is not None:
        world.searches[pick] = (world.searches[pick][0], frozenset(extra))  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(NAMES), _MEMBERS), min_size=1, max_size=3),
    st.lists(_STEPS, max_size=8),
)
def test_after_any_renames_and_deletes_each_member_carries_exactly_its_searches_tags_and_mailchimps_own(
    initial: list[tuple[str, frozenset[int]]], actions: list[tuple[object, object, object]]
) -> None:
    world = World({i: search for i, search in enumerate(initial)})
    ledger: dict[str, LedgerEntry] = {}
    remote: dict[str, set[str]] = {f"h{c}": set(MAILCHIMP_MADE.get(c, ())) for c in CONTACTS}
    for action in [None, *actions]:
        if action is not None:
            step(world, action)
        result = plan(desired(world), ledger, PlanOptions(owned_tags=world.owned()))
        for op in result.operations:
            if isinstance(op, AddTag):
                remote[op.subscriber_hash].add(op.tag)
            elif isinstance(op, RemoveTag):
                remote[op.subscriber_hash].discard(op.tag)
        ledger = apply_to_ledger(ledger, result)
        for c in CONTACTS:
            assert remote[f"h{c}"] == world.given_tags(c) | MAILCHIMP_MADE.get(c, frozenset())
