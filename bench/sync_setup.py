"""Shared set-up of the sync benchmarks: a seeded database with 20 tags and 3 interests, the emulator
as a separate process, a connected integration, and the sync itself run in a child process.

The seeded database is kept in a file named after its size (under ``--data-dir``), so reruns skip
the seeding; the searches are added once, idempotently. Each benchmark gets a fresh emulator (an
empty account) and its own integration.

The sync runs in a child process (``python -m bench.sync_setup sync --integration N``: the engine's
``run_sync``, what ``constituent mailchimp sync`` runs) so its wall time and peak RSS are its own.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact, ContactKind, Email, EmailStatus
from constituent.crm.contributions.models import Contribution
from constituent.crm.groups.models import Group, GroupMembership
from constituent.crm.searches import service as searches
from constituent.crm.searches.models import SavedSearch
from constituent.integrations.mailchimp import mappings, service
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.models import AuthKind, MailchimpIntegration, SourceTarget
from constituent.integrations.mailchimp.schemas import AudienceContact, CampaignDefaults, ConnectRequest
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import RunMode
from constituent.kit import migrate
from constituent.kit.crypto import SecretBox
from constituent.kit.db import make_engine, make_sessionmaker, session_scope
from constituent.kit.runtime import database_for
from constituent.kit.settings import Settings

CLI = str(Path(sys.executable).with_name("constituent"))

AS_OF = date(2026, 11, 22)
# Share of seeded contacts that are eligible (active individuals, alive, emailable, good primary email).
ELIGIBLE_SHARE = 0.683
INTEREST_GROUPS = ("Volunteers", "Newsletter", "Monthly donors")


def custom_searches() -> dict[str, dict[str, Any]]:
    """15 searches of the kinds people save; with the 5 quick lists, 20 tags."""
    year = AS_OF.year
    return {
        "Illinois": {"field": "state", "op": "eq", "value": "IL"},
        "Texas or California": {"field": "state", "op": "in", "value": ["TX", "CA"]},
        "North cities": {"field": "city", "op": "starts_with", "value": "North"},
        "Gmail": {"field": "email_domain", "op": "eq", "value": "gmail.com"},
        "Yahoo": {"field": "email_domain", "op": "contains", "value": "yahoo"},
        "Volunteers": {"field": "in_group", "op": "eq", "value": 1},
        "Canvassers or phone bank": {"field": "in_group", "op": "in", "value": [3, 4]},
        "Gave 250+ last year": {
            "field": "total_given",
            "op": "gte",
            "value": 250,
            "from": f"{year - 1}-01-01",
            "to": f"{year - 1}-12-31",
        },
        "Three gifts or more": {"field": "gift_count", "op": "gte", "value": 3},
        "Gave in the last 30 days": {"field": "last_gift_date", "op": "gte", "value": {"days_ago": 30}},
        "Never gave": {"field": "last_gift_date", "op": "is_empty", "value": True},
        "Joined this year": {"field": "created_at", "op": "gte", "value": f"{year}-01-01"},
        "Last name Smith": {"field": "last_name", "op": "eq", "value": "Smith"},
        "Has a postal code": {"field": "postal_code", "op": "is_empty", "value": False},
        "Lapsed volunteers": {
            "all": [
                {"field": "in_group", "op": "eq", "value": 1},
                {"not": {"field": "last_gift_date", "op": "gte", "value": {"days_ago": 365}}},
            ]
        },
    }


@dataclass
class BenchDatabase:
    url: str
    engine: Engine
    contacts: int
    eligible: int


def end_to_end_arguments(
    doc: str | None, *, eligible: int, more: Callable[[argparse.ArgumentParser], None] | None = None
) -> argparse.Namespace:
    """The options every end-to-end sync benchmark takes: audience size, emulator latency, data dir, and
    the database (a SQLite file under the data dir, or a PostgreSQL database on the local server);
    ``more`` adds a benchmark's own."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if more is not None:
        more(parser)
    parser.add_argument("--eligible", type=int, default=eligible)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--port", type=int, default=None, help="the emulator's port (default: a free one)")
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-sync"))
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    return parser.parse_args()


def contacts_for(eligible: int) -> int:
    """How many contacts to seed for about ``eligible`` eligible ones."""
    return round(eligible / ELIGIBLE_SHARE)


# PostgreSQL bench databases are made on this server, named ``<POSTGRES_PREFIX><name>``.
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
POSTGRES_PREFIX = "i17_"


def database_url(kind: str, data_dir: Path, name: str) -> str:
    """The URL of the bench database ``name`` (a file under ``data_dir``, or a PostgreSQL database,
    created empty when missing)."""
    if kind == "sqlite":
        data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{data_dir / name}.db"
    database = POSTGRES_PREFIX + name.replace("-", "_")
    server = make_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    server.dispose()
    return f"{POSTGRES_SERVER}/{database}"


def seeded_database(
    data_dir: Path, contacts: int, *, kind: str = "sqlite", name: str = "sync", searches: bool = True
) -> BenchDatabase:
    """A database (SQLite or PostgreSQL) of ``contacts`` seeded contacts (seeded once, then reused);
    ``searches``: with the 15 saved searches and 5 quick lists of the sync benchmarks."""
    url = database_url(kind, data_dir, f"{name}-{contacts}")
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        present = session.scalar(select(func.count()).select_from(Contact)) or 0
    if not present:
        started = time.perf_counter()
        # Imported here: the sync child imports this module, and Faker is no part of what a sync costs.
        from bench.seed import seed

        summary = seed(engine, contacts=contacts, seed=1, as_of=AS_OF)
        print(f"seeded {summary.contacts:,} contacts in {time.perf_counter() - started:.0f} s")
    with Session(engine) as session:
        if searches:
            add_searches(session)
        nothing_changes_after_seeding(session)
        session.commit()
        count = eligible_count(session)
    as_autovacuum_would(engine, "contacts", "emails", "group_memberships", "contributions", "saved_searches")
    return BenchDatabase(url, engine, contacts, count)


def as_autovacuum_would(engine: Engine, *tables: str) -> None:
    """PostgreSQL: VACUUM ANALYZE the tables a benchmark has just updated in bulk. This machine's server
    runs with autovacuum off (CI's setting), so every bench run's UPDATEs of every contact stayed as dead
    rows: the reused 20,000-contact database had grown to 1.4 million dead contact rows (214 MB instead
    of 5 MB), and every read of contacts scanned them (docs/BENCHMARKS.md, session 16). A server in use
    vacuums them. SQLite updates in place: nothing to do."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def add_searches(session: Session) -> None:
    searches.list_searches(session, today=AS_OF)  # the quick lists
    known = set(session.scalars(select(SavedSearch.name)))
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    for name, raw in custom_searches().items():
        if name not in known:
            session.add(SavedSearch(name=name, filter=raw, created_at=stamp, updated_at=stamp))
    session.flush()


def nothing_changes_after_seeding(session: Session) -> None:
    """Caps every change stamp at the day before the seed's day: the seed dates some removals from
    groups in the future, which would make them "changed" in every incremental run (and a benchmark
    needs a quiet day to play "the last run was yesterday")."""
    cap = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC) - timedelta(days=1)
    for model in (Contact, Email, GroupMembership, Contribution):
        stamp = model.updated_at
        session.execute(update(model).where(stamp > cap).values(updated_at=cap))
    # The quick lists are made on first use (today): as if they had always been there.
    later = SavedSearch.created_at > cap
    session.execute(update(SavedSearch).where(later).values(created_at=cap, updated_at=cap))


def interest_group_ids(session: Session) -> list[int]:
    rows = session.execute(select(Group.id, Group.name).where(Group.name.in_(INTEREST_GROUPS)))
    by_name = {name: group_id for group_id, name in rows}
    return [by_name[name] for name in INTEREST_GROUPS]


def eligible_count(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(Contact)
        .join(Email, (Email.contact_id == Contact.id) & Email.is_primary & (Email.status == EmailStatus.ok))
        .where(
            Contact.kind == ContactKind.individual,
            Contact.is_active,
            ~Contact.is_deceased,
            ~Contact.do_not_email,
        )
    )
    return session.scalar(query) or 0


# -- the emulator, as its own process --------------------------------------------------------------


@dataclass
class Emulator:
    base_url: str
    process: subprocess.Popen[bytes]
    account_id: str = ""
    api_key: str = ""

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/3.0"

    def control(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = httpx.request(
            method, f"{self.base_url}/_emulator/{path}", json=body, params=params or None, timeout=60
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def statuses(self, audience_id: str) -> dict[str, int]:
        """How many members the audience holds, by status (the control API is not counted as requests)."""
        counts: dict[str, int] = {}
        for member in self.control("GET", f"lists/{audience_id}/export")["members"]:
            counts[member["status"]] = counts.get(member["status"], 0) + 1
        return counts

    def requests(self) -> tuple[int, int]:
        """(reads, writes) our account has made so far."""
        counts: dict[str, int] = self.control("GET", "stats", account_id=self.account_id)["requests"]
        reads = sum(n for route, n in counts.items() if route.startswith("GET "))
        return reads, sum(counts.values()) - reads


@contextmanager
def running_emulator(
    latency_ms: int, log: Path, port: int | None = None, *, whole_answers: bool = False
) -> Iterator[Emulator]:
    """The emulator as a process of its own, with one account. ``whole_answers``: its reading that
    Mailchimp ignores ``fields`` on a write (docs/MAILCHIMP-FIDELITY.md, "Probably true")."""
    port = port or _free_port()
    command = [CLI, "emulator", "--port", str(port), "--latency-ms", str(latency_ms)]
    log.parent.mkdir(parents=True, exist_ok=True)  # a PostgreSQL bench has made no data directory yet
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    emulator = Emulator(f"http://127.0.0.1:{port}", process)
    try:
        _wait_until_up(emulator)
        account = emulator.control("POST", "accounts", {"plan": "monthly"})
        emulator.account_id, emulator.api_key = account["account_id"], account["api_key"]
        if whole_answers:
            readings = {"write_answers_trimmed": False}
            emulator.control("PUT", f"accounts/{emulator.account_id}/readings", readings)
        yield emulator
    finally:
        process.terminate()
        process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(emulator: Emulator) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            emulator.control("GET", "stats")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the emulator did not start at {emulator.base_url}")


# -- the integration ---------------------------------------------------------------------------------


def settings_for(database: BenchDatabase, emulator: Emulator, data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database.url,
        mailchimp_api_base=emulator.api_base,
        mailchimp_oauth_base=emulator.base_url,
        base_url="http://127.0.0.1:9",
    )


def child_env(settings: Settings, tree: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["CONSTITUENT_DATA_DIR"] = str(settings.data_dir)
    env["CONSTITUENT_DATABASE_URL"] = settings.resolved_database_url
    env["CONSTITUENT_MAILCHIMP_API_BASE"] = str(settings.mailchimp_api_base)
    # ``tree`` (default: the one this benchmark runs from), ``src`` first: a worktree's code, not the
    # editable install's.
    root = tree or Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = f"{root / 'src'}{os.pathsep}{root}"
    # Some machines set PYTHONDONTWRITEBYTECODE (this one does): then every child compiles every module it
    # imports again, and a 10,000-change run spent 1.8 s importing instead of about 0.6 s. An installed
    # product has its bytecode cached; so does the benchmark's child (as the Makefile does for the tests).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def offline_integration(session: Session, audience_id: str) -> MailchimpIntegration:
    """An integration row without credentials (added and flushed), for benchmarks that plan or read the
    ledger without reaching Mailchimp."""
    integration = MailchimpIntegration(
        name="Bench",
        auth_kind=AuthKind.api_key,
        dc="us1",
        api_base="http://127.0.0.1:9/3.0",
        audience_id=audience_id,
        webhook_secret_encrypted="-",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    session.add(integration)
    session.flush()
    return integration


@dataclass
class Connected:
    integration_id: int
    audience_id: str


def connect(database: BenchDatabase, emulator: Emulator, settings: Settings, interests: int = 3) -> Connected:
    """A new integration on a new audience (mode all, everyone), with ``interests`` groups as interests."""
    request = ConnectRequest(
        name=f"Bench {uuid.uuid4().hex[:6]}",
        audience_name=f"Bench {uuid.uuid4().hex[:6]}",
        contact=AudienceContact(company="Bench", address1="1 Elm St", city="Springfield", country="US"),
        permission_reminder="You signed up at one of our events.",
        campaign_defaults=CampaignDefaults(from_name="Bench", from_email="news@bench.co.uk", subject="News"),
    )
    credentials = Credentials("api_key", emulator.api_key, emulator.api_base)
    box = SecretBox.from_settings(settings)
    with session_scope(make_sessionmaker(database.engine)) as session:
        integration = asyncio.run(service.connect(session, box, request, credentials))
        for group_id, name in zip(interest_group_ids(session)[:interests], INTEREST_GROUPS, strict=False):
            # The product's own mapping: creates the interest in the audience's category, then the source.
            asyncio.run(mappings.map_group(session, box, integration, group_id, SourceTarget.interest, name))
        return Connected(integration.id, integration.audience_id)


@dataclass
class Bench:
    database: BenchDatabase
    emulator: Emulator
    settings: Settings
    connected: Connected


@contextmanager
def connected_bench(args: argparse.Namespace) -> Iterator[Bench]:
    """The seeded database, a running emulator and a freshly connected audience (what every end-to-end
    sync benchmark starts from)."""
    database = seeded_database(args.data_dir, contacts_for(args.eligible), kind=args.database)
    print(f"database: {database.contacts:,} contacts, {database.eligible:,} eligible ({database.url})")
    with running_emulator(args.latency_ms, args.data_dir / "emulator.log", args.port) as emulator:
        settings = settings_for(database, emulator, args.data_dir / f"run-{uuid.uuid4().hex[:8]}")
        yield Bench(database, emulator, settings, connect(database, emulator, settings))


# -- the sync, in a child process --------------------------------------------------------------------


@dataclass
class SyncFigures:
    seconds: float
    peak_rss_mb: float
    run: dict[str, Any]


def run_sync_process(
    settings: Settings,
    integration_id: int,
    *,
    full: bool = False,
    dry_run: bool = False,
    tree: Path | None = None,
) -> SyncFigures:
    """One sync in a child process, running ``tree``'s code (default: this checkout's)."""
    command = [sys.executable, "-m", "bench.sync_setup", "sync", "--integration", str(integration_id)]
    if full:
        command.append("--full")
    if dry_run:
        command.append("--dry-run")
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, env=child_env(settings, tree), stdout=output)
        # wait4 gives this child's own resource usage (its peak RSS), not the sum of all children.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"the sync failed (exit {process.returncode}): {text}")
    return SyncFigures(seconds, usage.ru_maxrss / 1024, json.loads(text.strip().splitlines()[-1]))


def _sync_main(integration_id: int, full: bool, dry_run: bool) -> None:
    settings = Settings()
    mode = RunMode.full if full else RunMode.incremental
    # BENCH_PROFILE_DIR=<dir>: each run's main thread profiled (cProfile) into <dir>/run-<n>.prof.
    profile_dir = os.environ.get("BENCH_PROFILE_DIR")
    profiler = cProfile.Profile() if profile_dir else None
    if profiler is not None:
        profiler.enable()
    run = run_sync(database_for(settings), settings, integration_id, mode=mode, dry_run=dry_run)
    if profiler is not None and profile_dir:
        profiler.disable()
        Path(profile_dir).mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(Path(profile_dir) / f"run-{run.id}.prof")
    print(
        json.dumps(
            {
                "run_id": run.id,
                "status": run.status.value,
                **run.counters(),
                "requests_read": run.requests_read,
                "requests_write": run.requests_write,
                "message": run.message,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Run one sync (used by the sync benchmarks).")
    parser.add_argument("command", choices=["sync"])
    parser.add_argument("--integration", type=int, required=True)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--dry-run", action="store_true", help="a preview: plans and stores the report only")
    args = parser.parse_args()
    _sync_main(args.integration, args.full, args.dry_run)


if __name__ == "__main__":
    main()
