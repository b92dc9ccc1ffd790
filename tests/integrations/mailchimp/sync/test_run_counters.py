"""A run's counters are an enum: adding to one the applier misspelt fails loudly instead of being dropped."""

from __future__ import annotations

from collections import Counter

import pytest

from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunCounter, RunMode, RunTrigger
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.jobs.helpers import bare_integrations


def test_counts_are_added_by_counter_and_a_misspelt_name_is_refused(db: TestDatabase) -> None:
    (integration,) = bare_integrations(db, "02:00")
    with session_scope(db.sessions) as session:
        run = runs.create(
            session, integration, trigger=RunTrigger.cli, mode=RunMode.full, dry_run=False, now=utcnow()
        )
        runs.add_counts(session, run.id, Counter({RunCounter.created: 2, RunCounter.tags_added: 3}))
        runs.add_counts(session, run.id, {RunCounter.created: 1})
        with pytest.raises(ValueError, match="tag_added"):
            runs.add_counts(session, run.id, {"tag_added": 1})  # type: ignore[dict-item]
        run_id = run.id
    with db.sessions() as session:
        counted = runs.get(session, run_id).counters()
    assert (counted["created"], counted["tags_added"], counted["updated"]) == (3, 3, 0)
