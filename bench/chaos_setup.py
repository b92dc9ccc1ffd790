"""The chaos run's world: a fresh PostgreSQL database with N contacts, the emulator and the app as
processes (webhooks really delivered), a job worker that can be killed and restarted, the connection."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bench.seed import _bulk_insert, _table
from sqlalchemy import create_engine, func, select, text

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.models import Contact, ContactKind, Email, EmailStatus
from constituent.crm.groups.models import Group, GroupMembership, MembershipMethod, MembershipStatus
from constituent.integrations.mailchimp import mappings
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.connecting import connect_and_register
from constituent.integrations.mailchimp.models import MailchimpIntegration, SourceTarget, WebhookState
from constituent.integrations.mailchimp.schemas import AudienceContact, CampaignDefaults, ConnectRequest
from constituent.integrations.mailchimp.sync.models import LedgerRow, SyncRun
from constituent.kit import migrate
from constituent.kit.crypto import SecretBox
from constituent.kit.db import make_engine, make_sessionmaker, normalise_url, session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

BENCH_DB = "i13c_chaos"
CLI = str(Path(sys.executable).with_name("constituent"))
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
TAG = "Volunteers"
LEASE_SECONDS = 6  # a killed run's lease is taken over this long after its last renewal


def wait_until(done: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready after {timeout:.0f} s")
        time.sleep(0.2)


def fresh_database(admin_url: str) -> str:
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def seed(url: str, count: int) -> int:
    """``count`` eligible individuals (p<i>@mailbox.org); every third in the group mapped as a tag."""
    engine = make_engine(url)
    person = {
        "kind": ContactKind.individual.value,
        "organization_name": "",
        "is_active": True,
        "is_deceased": False,
        "do_not_email": False,
        "street": "",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "",
        "country": "US",
        "phone": "",
        "source": "chaos",
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    rows: dict[type[Any], list[dict[str, Any]]] = {
        Contact: [
            {"id": i, "first_name": f"P{i}", "last_name": "Chaos", **person} for i in range(1, count + 1)
        ],
        Email: [
            {
                "id": i,
                "contact_id": i,
                "address": f"p{i}@mailbox.org",
                "address_normalized": f"p{i}@mailbox.org",
                "domain": "mailbox.org",
                "is_primary": True,
                "status": EmailStatus.ok.value,
                "created_at": STAMP,
                "updated_at": STAMP,
            }
            for i in range(1, count + 1)
        ],
        Group: [{"id": 1, "name": TAG, "description": "", "created_at": STAMP}],
        GroupMembership: [
            {
                "id": i,
                "group_id": 1,
                "contact_id": i,
                "status": MembershipStatus.added.value,
                "method": MembershipMethod.import_.value,
                "added_at": STAMP,
                "removed_reason": "",
                "updated_at": STAMP,
            }
            for i in range(1, count + 1, 3)
        ],
    }
    for model, values in rows.items():
        table = _table(model)
        names = [column.name for column in table.columns]
        _bulk_insert(engine, table, (tuple(row.get(name) for name in names) for row in values))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in ("contacts", "emails", "groups", "group_memberships"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"))
            conn.execute(text(f"VACUUM ANALYZE {name}"))
    engine.dispose()
    return count


@dataclass
class ChaosEnv:
    args: argparse.Namespace
    settings: Settings
    database: Database
    emulator: subprocess.Popen[bytes]
    app: subprocess.Popen[bytes]
    emulator_url: str
    api_key: str = ""
    integration_id: int = 0
    audience_id: str = ""
    group_id: int = 1
    worker: subprocess.Popen[bytes] = field(init=False)
    _logs: list[Any] = field(default_factory=list)

    @classmethod
    def start(cls, args: argparse.Namespace, url: str) -> ChaosEnv:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        emulator_url = f"http://127.0.0.1:{args.port}"
        app_port = args.port + 1
        settings = Settings(
            data_dir=args.data_dir / "app",
            database_url=url,
            queue_url=f"sqlite:///{(args.data_dir / 'queue.db').resolve()}",
            mailchimp_api_base=f"{emulator_url}/3.0",
            mailchimp_oauth_base=emulator_url,
            base_url=f"http://127.0.0.1:{app_port}",
            sync_lease_seconds=LEASE_SECONDS,
        )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        SecretBox.from_settings(settings)  # the keys exist before any child reads them
        engine = make_engine(url)
        database = Database(engine, make_sessionmaker(engine))
        logs = [(args.data_dir / name).open("wb") for name in ("emulator.log", "app.log")]
        emulator = subprocess.Popen(
            [CLI, "emulator", "--port", str(args.port)], stdout=logs[0], stderr=subprocess.STDOUT
        )
        env = child_env(settings)
        app = subprocess.Popen(
            [CLI, "serve", "--port", str(app_port)], env=env, stdout=logs[1], stderr=subprocess.STDOUT
        )
        chaos = cls(args, settings, database, emulator, app, emulator_url, _logs=logs)
        wait_until(chaos._emulator_up, "the emulator")
        wait_until(lambda: _answers(f"{settings.base_url}/healthz"), "the app")
        chaos.api_key = chaos.emulator_control("POST", "accounts", {"plan": "monthly"})["api_key"]
        return chaos

    def _emulator_up(self) -> bool:
        return _answers(f"{self.emulator_url}/_emulator/stats")

    def emulator_control(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.emulator_url}/_emulator/{path}", json=body, timeout=120)
        response.raise_for_status()
        return response.json() if response.content else None

    def set_faults(self, rates: tuple[float, float, float]) -> None:
        error, throttle, reset = rates
        faults = {"error_rate": error, "throttle_rate": throttle, "reset_rate": reset, "seed": 13}
        self.emulator_control("PUT", "faults", faults)

    def person_action(self, address: str, action: str, body: dict[str, Any]) -> None:
        self.emulator_control(
            "POST", f"lists/{self.audience_id}/members/{subscriber_hash(address)}/{action}", body
        )

    def audience_export(self) -> list[dict[str, Any]]:
        members: list[dict[str, Any]] = self.emulator_control("GET", f"lists/{self.audience_id}/export")[
            "members"
        ]
        return members

    def contacts_with(self, addresses: list[str]) -> set[int]:
        with self.database.sessions() as session:
            query = select(Email.contact_id).where(Email.address_normalized.in_(addresses))
            return set(session.scalars(query))

    def ledger_owners(self) -> dict[str, int | None]:
        with self.database.sessions() as session:
            query = select(LedgerRow.subscriber_hash, LedgerRow.contact_id).where(
                LedgerRow.integration_id == self.integration_id
            )
            return {row[0]: row[1] for row in session.execute(query)}

    def lease_free_or_expired(self) -> bool:
        with self.database.sessions() as session:
            owner, expires = session.execute(
                select(MailchimpIntegration.lease_owner, MailchimpIntegration.lease_expires_at).where(
                    MailchimpIntegration.id == self.integration_id
                )
            ).one()
        return owner is None or expires is None or expires < datetime.now(UTC)

    def run_statuses(self) -> dict[str, int]:
        with self.database.sessions() as session:
            query = select(SyncRun.status, func.count()).group_by(SyncRun.status)
            return {str(status): int(n) for status, n in session.execute(query)}

    def start_sync_process(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "bench.chaos", "sync", str(self.integration_id)]
        return subprocess.Popen(
            command, env=child_env(self.settings), stdout=self._logs[1], stderr=subprocess.STDOUT
        )

    def start_worker(self) -> None:
        log = (self.args.data_dir / "worker.log").open("ab")
        command = [CLI, "worker", "--workers", "2", "--no-periodic"]
        self.worker = subprocess.Popen(
            command, env=child_env(self.settings), stdout=log, stderr=subprocess.STDOUT
        )

    def restart_worker(self) -> None:
        if self.worker.poll() is None:
            self.worker.kill()
            self.worker.wait()
        self.start_worker()

    def stop_worker(self) -> None:
        self.worker.terminate()
        self.worker.wait(timeout=120)

    def stop(self) -> None:
        if hasattr(self, "worker") and self.worker.poll() is None:
            self.worker.kill()
            self.worker.wait()
        for process in (self.app, self.emulator):
            process.terminate()
            process.wait(timeout=60)
        self.database.engine.dispose()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code < 500
    except httpx.TransportError:
        return False


def child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CONSTITUENT_DATA_DIR": str(settings.data_dir),
            "CONSTITUENT_DATABASE_URL": settings.resolved_database_url,
            "CONSTITUENT_QUEUE_URL": settings.resolved_queue_url,
            "CONSTITUENT_MAILCHIMP_API_BASE": str(settings.mailchimp_api_base),
            "CONSTITUENT_MAILCHIMP_OAUTH_BASE": str(settings.mailchimp_oauth_base),
            "CONSTITUENT_BASE_URL": settings.base_url,
            "CONSTITUENT_SYNC_LEASE_SECONDS": str(settings.sync_lease_seconds),
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
    )
    return env


def connect(env: ChaosEnv) -> None:
    """The integration (mode: all individuals), its webhook registered with the app, the group as a tag."""
    request = ConnectRequest(
        name="Chaos",
        contact=AudienceContact(company="Chaos", address1="1 Elm St", city="Springfield", country="US"),
        permission_reminder="You signed up at one of our events.",
        campaign_defaults=CampaignDefaults(from_name="Chaos", from_email="news@chaos.org.uk", subject="News"),
    )
    credentials = Credentials("api_key", env.api_key, str(env.settings.mailchimp_api_base))
    box = SecretBox.from_settings(env.settings)
    with session_scope(env.database.sessions) as session:
        integration = asyncio.run(
            connect_and_register(session, box, request, credentials, env.settings.base_url)
        )
        if integration.webhook_state is not WebhookState.registered:
            raise RuntimeError(f"webhook not registered: {integration.webhook_error}")
        asyncio.run(mappings.map_group(session, box, integration, env.group_id, SourceTarget.tag, TAG))
        env.integration_id, env.audience_id = integration.id, integration.audience_id
