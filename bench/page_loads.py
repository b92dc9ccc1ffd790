"""Page loads with many contacts: the pages a staffer lives in, timed through the real app.

    .venv/bin/python -m bench.page_loads [--contacts 20000] [--repeat 15] [--only sqlite|postgresql]

Seeds each database (a temporary SQLite file; a PostgreSQL schema named ``i16_bench_*``, dropped
afterwards) with ``bench.seed``, logs an administrator in through the login form, then asks for each page
``--repeat`` times after one warm-up request and prints the median and the slowest, in milliseconds.
The app runs in this process (Starlette's TestClient): the figures are the server's work (routing,
queries, templates), without a network in between.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from bench.seed import seed
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from constituent.auth import service as auth_service
from constituent.auth.models import Role
from constituent.crm.contacts.models import Contact, Email
from constituent.crm.groups.models import Group
from constituent.crm.searches import service as searches
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.integrations.mailchimp.models import AuthKind, MailchimpIntegration
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger
from constituent.integrations.mailchimp.sync.plan_report import PlanCounts, ReportRow
from constituent.kit import migrate
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.db import make_engine, make_sessionmaker, normalise_url, session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.web.app import create_app

POSTGRES_URL = os.environ.get(
    "CONSTITUENT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
AS_OF = date(2026, 11, 22)
CHANGES = 20_000  # addresses in the dry run behind the preview pages
EMAIL, PASSWORD = "bench@mailbox.org", "bench password"


def pages(contact_id: int, group_id: int, search_id: int, mailchimp: str, preview: str) -> list[str]:
    contact = f"/contacts/{contact_id}"
    return [
        "/",
        "/contacts",
        "/contacts?q=smith",
        "/contacts?page=200",
        contact,
        f"{contact}/contributions",
        f"{contact}/activities",
        f"{contact}/groups",
        f"{contact}/changes",
        "/groups",
        f"/groups/{group_id}",
        "/searches",
        f"/searches/{search_id}",
        f"/searches/{search_id}/edit",
        "/settings",
        "/integrations",
        mailchimp,
        f"{mailchimp}/content",
        f"{mailchimp}/merge-fields",
        f"{mailchimp}/settings",
        f"{mailchimp}/history",
        preview,
        f"{preview}?page=300",
        f"{preview}?action=add&address=smith",
    ]


def a_dry_run(session: Session, settings: Settings, changes: int) -> tuple[str, str]:
    """A stored integration (no Mailchimp behind it: these pages only read) and a finished dry run whose
    list holds ``changes`` addresses, as a preview of a first sync would. Returns the two pages' paths."""
    box = SecretBox.from_settings(settings)
    integration = MailchimpIntegration(
        name="Bench",
        auth_kind=AuthKind.api_key,
        secret_encrypted=box.encrypt("key-us1"),
        dc="us1",
        api_base="http://127.0.0.1:9/3.0",
        audience_id="bench",
        audience_name="Bench audience",
        webhook_secret_encrypted=box.encrypt("secret"),
    )
    session.add(integration)
    session.flush()
    run = runs.create(
        session, integration.id, trigger=RunTrigger.ui, mode=RunMode.incremental, dry_run=True, now=utcnow()
    )
    runs.finish(session, run.id, status=RunStatus.succeeded, phase="done", finished_at=utcnow(), message="")
    rows = session.execute(
        select(Contact.id, Email.address).join(Email).where(Email.is_primary).limit(changes)
    )
    report = [ReportRow((contact_id,), address, "add", ("+Bench",), "") for contact_id, address in rows]
    counts = PlanCounts(**(dict.fromkeys(PlanCounts.__dataclass_fields__, 0) | {"created": len(report)}))
    runs.record_plan(session, run.id, runs.PlanSummary(counts, "", (), report, len(report)))
    page = f"/integrations/mailchimp/{integration.id}"
    return page, f"{page}/runs/{run.id}/preview"


def _logged_in(client: TestClient) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def measure(engine: Engine, contacts: int, repeat: int, data_dir: Path) -> list[tuple[str, float, float]]:
    migrate.upgrade(engine)
    started = time.perf_counter()
    summary = seed(engine, contacts=contacts, seed=1, as_of=AS_OF)
    print(f"  seeded in {time.perf_counter() - started:.0f}s: {summary}")
    database = Database(engine, make_sessionmaker(engine))
    settings = Settings(data_dir=data_dir, secret_keys=Fernet.generate_key().decode(), queue_url="memory://")
    with session_scope(database.sessions) as session:
        auth_service.create_user(session, EMAIL, PASSWORD, role=Role.admin)
        contact_id = int(session.scalar(select(func.max(Contact.id))) or 1) // 2
        group_id = int(session.scalar(select(func.min(Group.id))) or 1)
        smiths = {"all": [{"field": "last_name", "op": "eq", "value": "Smith"}]}
        search_id = searches.create_search(session, SavedSearchCreate(name="Smiths", filter=smiths)).id
        mailchimp, preview = a_dry_run(session, settings, CHANGES)
    results = []
    with TestClient(create_app(settings, database=database)) as client:
        _logged_in(client)
        for path in pages(contact_id, group_id, search_id, mailchimp, preview):
            assert client.get(path).status_code == 200, path  # warm-up
            timings = []
            for _ in range(repeat):
                begun = time.perf_counter()
                answer = client.get(path)
                timings.append(time.perf_counter() - begun)
                assert answer.status_code == 200, path
            results.append((path, statistics.median(timings) * 1000, max(timings) * 1000))
    return results


@contextmanager
def sqlite_engine(directory: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{directory / 'bench.db'}")
    yield engine
    engine.dispose()


@contextmanager
def postgres_engine() -> Iterator[Engine]:
    schema = f"i16_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    for name in ("sqlite", "postgresql"):
        if args.only and args.only != name:
            continue
        print(f"{name}, {args.contacts:,} contacts (median / slowest of {args.repeat}, ms):")
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as directory:
            folder = Path(directory)
            with sqlite_engine(folder) if name == "sqlite" else postgres_engine() as engine:
                for path, median, slowest in measure(engine, args.contacts, args.repeat, folder):
                    print(f"  {path:<28} {median:7.1f} {slowest:7.1f}")


if __name__ == "__main__":
    main()
