"""Interests are two-way (issue 14): a person unticking or ticking one of our interests on Mailchimp's
preference page moves her out of or into its group, and no sync re-ticks what she unticked.

Fidelity: a ``profile`` webhook carries "the same fields as subscribe", among them
``data[merges][GROUPINGS][n][id|unique_id|name|groups]`` with ``groups`` the ticked interests' names
(../shared/mailchimp/API-NOTES.md, webhooks; a real subscribe payload with GROUPINGS in
oxidecomputer/cio ``cio/src/mailchimp.rs`` test_mailchimp_webhook_parsing, [OXIDE]). The emulator fires it
when the person changes her preferences (``update-profile`` with ``interests``).
"""

from __future__ import annotations

import pytest

from constituent.crm.groups import service as groups
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.inbound.helpers import activity_subjects
from tests.integrations.mailchimp.sync.sync_helpers import add_people, group_with, map_group_as

ANN = "ann@mailbox.org"


def group_ids(live: Live, contact_id: int) -> tuple[list[int], list[tuple[int, str]]]:
    """The contact's current group ids, and her past ones with how they ended."""
    with session_scope(live.product.db.sessions) as session:
        stints = groups.contact_groups(session, contact_id)
        return [m.group_id for m in stints.current], [(m.group_id, m.removed_reason) for m in stints.past]


def volunteer_interest(live: Live) -> tuple[int, int, str]:
    """Ann, in the group Volunteers mapped as an interest and synced (so ticked in Mailchimp)."""
    [ann] = add_people(live.product, ANN)
    group_id = group_with(live.product, "Volunteers", [ann])
    interest_id = map_group_as(live.audience, group_id, SourceTarget.interest)
    assert interest_id is not None
    live.audience.sync()
    assert live.audience.member(ANN)["interests"][interest_id] is True
    return ann, group_id, interest_id


def untick(live: Live, interest_id: str) -> None:
    live.person(ANN, "update-profile", interests={interest_id: False})
    live.settle(1)
    live.process()


@pytest.mark.slow
def test_unticking_an_interest_in_mailchimp_moves_her_out_of_the_group_and_no_sync_re_ticks_it(
    live: Live,
) -> None:
    ann, group_id, interest_id = volunteer_interest(live)

    untick(live, interest_id)

    current, past = group_ids(live, ann)
    assert group_id not in current
    assert past == [(group_id, "Unticked it in Mailchimp (audience Supporters)")]
    assert "Unticked the interest 'Volunteers' in Mailchimp" in activity_subjects(live, ann)
    live.audience.sync()
    live.audience.full()
    assert live.audience.member(ANN)["interests"][interest_id] is False


@pytest.mark.slow
def test_with_following_switched_off_the_group_stays_the_change_is_noted_and_never_overridden(
    live: Live,
) -> None:
    live.update_integration(interests_follow_members=False)
    ann, group_id, interest_id = volunteer_interest(live)

    untick(live, interest_id)
    live.audience.sync()
    live.audience.full()

    current, _past = group_ids(live, ann)
    assert group_id in current
    assert (
        "Unticked the interest 'Volunteers' in Mailchimp (the group was left as it is)"
        in activity_subjects(live, ann)
    )
    assert live.audience.member(ANN)["interests"][interest_id] is False


@pytest.mark.slow
def test_ticking_it_again_herself_puts_her_back_in_the_group(live: Live) -> None:
    ann, group_id, interest_id = volunteer_interest(live)
    untick(live, interest_id)

    live.person(ANN, "update-profile", interests={interest_id: True})
    live.settle(2)
    live.process()
    live.audience.sync()

    current, _past = group_ids(live, ann)
    assert group_id in current
    assert live.audience.member(ANN)["interests"][interest_id] is True


@pytest.mark.slow
def test_months_later_a_full_resync_in_slices_re_ticks_nobody_who_unticked_in_any_slice(live: Live) -> None:
    """Each slice reads the unticks of its own members (``unticks.with_unticks``, by address): the
    first and the last contact of a resync in slices of three unticked the interest themselves, and the
    group stays as it is (following switched off); neither is re-ticked, everyone else still is."""
    live.update_integration(interests_follow_members=False)
    emails = [f"v{n}@mailbox.org" for n in range(8)]
    ids = add_people(live.product, *emails)
    group_id = group_with(live.product, "Volunteers", ids)
    interest_id = map_group_as(live.audience, group_id, SourceTarget.interest)
    assert interest_id is not None
    live.audience.sync()
    for email in (emails[0], emails[-1]):
        live.person(email, "update-profile", interests={interest_id: False})
    live.settle(2)
    live.process()
    settings = live.product.settings.model_copy(update={"sync_slice_contacts": 3})

    resync = run_sync(live.database, settings, live.integration_id, mode=RunMode.full)

    assert resync.status is RunStatus.succeeded, resync.message
    ticked = {email: live.audience.member(email)["interests"][interest_id] for email in emails}
    assert ticked == {email: email not in (emails[0], emails[-1]) for email in emails}
    assert resync.requests_write == 0, "nothing to write: the two unticks are hers"
