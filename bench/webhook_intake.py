"""Webhook intake under load: ``constituent serve`` (a real process) receiving Mailchimp deliveries from wrk.

Run: .venv/bin/python -m bench.webhook_intake [--database sqlite|postgresql|both] [--seconds 20]
     [--connections 32] [--threads 1]

Each database gets a fresh data dir (SQLite file, keys, queue) or a throwaway PostgreSQL schema, one
integration row with a known webhook secret, and a ``constituent serve`` child process. wrk then posts a
realistic form-encoded unsubscribe payload (nested merges, a different address on every request) to the
webhook URL for ``--seconds``. The script prints wrk's throughput and latency percentiles and checks that
every 2xx answer is a row in the inbox (none lost). The queue is a SQLite file nobody consumes, as when
the worker is down, so the enqueue each stored batch requests is part of what is measured.

wrk comes from Debian: ``apt-get install -y wrk``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text

from constituent.integrations.mailchimp.inbound.models import WebhookEvent
from constituent.integrations.mailchimp.models import AuthKind, MailchimpIntegration
from constituent.kit import migrate
from constituent.kit.crypto import SecretBox
from constituent.kit.db import make_engine, make_sessionmaker, normalise_url, session_scope
from constituent.kit.settings import Settings

POSTGRES_URL = os.environ.get(
    "CONSTITUENT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
CLI = str(Path(sys.executable).with_name("constituent"))
LIST_ID = "a6b5da1054"

# One delivery as Mailchimp sends it (about 760 bytes); wrk substitutes a new address per request.
LUA = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["User-Agent"] = "MailChimp.com"
local counter = 0
local template = "type=unsubscribe&fired_at=2026-11-22+10%%3A00%%3A00&data%%5Baction%%5D=unsub"
  .. "&data%%5Breason%%5D=manual&data%%5Bid%%5D=8a25ff1d98&data%%5Blist_id%%5D=LIST"
  .. "&data%%5Bemail%%5D=person%d%%40example.org&data%%5Bemail_type%%5D=html"
  .. "&data%%5Bip_opt%%5D=10.20.10.30&data%%5Bweb_id%%5D=123456789"
  .. "&data%%5Bcampaign_id%%5D=4f5e6d7c8b"
  .. "&data%%5Bmerges%%5D%%5BEMAIL%%5D=person%d%%40example.org"
  .. "&data%%5Bmerges%%5D%%5BFNAME%%5D=Jane&data%%5Bmerges%%5D%%5BLNAME%%5D=Doe"
  .. "&data%%5Bmerges%%5D%%5BPHONE%%5D=555-0100"
  .. "&data%%5Bmerges%%5D%%5BADDRESS%%5D%%5Baddr1%%5D=1+Elm+St"
  .. "&data%%5Bmerges%%5D%%5BADDRESS%%5D%%5Bcity%%5D=Springfield"
  .. "&data%%5Bmerges%%5D%%5BADDRESS%%5D%%5Bstate%%5D=IL"
  .. "&data%%5Bmerges%%5D%%5BADDRESS%%5D%%5Bzip%%5D=62701"
  .. "&data%%5Bmerges%%5D%%5BADDRESS%%5D%%5Bcountry%%5D=US"
  .. "&data%%5Bmerges%%5D%%5BINTERESTS%%5D=Volunteers%%2C+Donors"
request = function()
  counter = counter + 1
  local n = counter * 1000 + math.random(0, 999)
  return wrk.format(nil, nil, nil, string.format(template, n, n))
end
""".replace("LIST", LIST_ID)


@dataclass
class Target:
    label: str
    env: dict[str, str]
    database_url: str
    schema: str | None


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit("wrk is not installed: `apt-get install -y wrk` (Debian's package), then run this again.")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def targets(which: str, work: Path) -> Iterator[list[Target]]:
    found: list[Target] = []
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    if which in ("sqlite", "both"):
        data = work / "sqlite"
        found.append(
            Target("SQLite", {"CONSTITUENT_DATA_DIR": str(data)}, f"sqlite:///{data}/constituent.db", None)
        )
    admin = None
    if which in ("postgresql", "both"):
        admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        env = {
            "CONSTITUENT_DATA_DIR": str(work / "postgresql"),
            "CONSTITUENT_DATABASE_URL": POSTGRES_URL,
            "PGOPTIONS": f"-csearch_path={schema}",
        }
        found.append(Target("PostgreSQL", env, POSTGRES_URL, schema))
    try:
        yield found
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def prepare(target: Target) -> tuple[int, str]:
    """Migrate and add one integration; returns its id and webhook secret."""
    data_dir = Path(target.env["CONSTITUENT_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(target.database_url, schema=target.schema)
    migrate.upgrade(engine)
    box = SecretBox.from_settings(Settings(data_dir=data_dir))
    secret = secrets.token_urlsafe(24)
    with session_scope(make_sessionmaker(engine)) as session:
        integration = MailchimpIntegration(
            name="Bench",
            auth_kind=AuthKind.api_key,
            secret_encrypted=box.encrypt("bench-us1"),
            dc="us1",
            api_base="http://127.0.0.1:9/3.0",
            audience_id=LIST_ID,
            webhook_secret_encrypted=box.encrypt(secret),
        )
        session.add(integration)
        session.flush()
        integration_id = integration.id
    engine.dispose()
    return integration_id, secret


def inbox_rows(target: Target) -> int:
    engine = make_engine(target.database_url, schema=target.schema)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(WebhookEvent))
    engine.dispose()
    return int(count or 0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(target: Target, port: int, log: Path) -> Iterator[tuple[str, int]]:
    env = {**os.environ, **target.env}
    env["CONSTITUENT_QUEUE_URL"] = f"sqlite:///{Path(target.env['CONSTITUENT_DATA_DIR']) / 'queue.db'}"
    with log.open("w") as out:
        process = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"constituent serve did not start; see {log}")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def run_wrk(wrk: str, url: str, script: Path, seconds: int, connections: int, threads: int) -> dict[str, Any]:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    return {
        "command": " ".join([*command[:-3], "-s", "webhook.lua", "URL"]),
        **parse_wrk(output),
        "raw": output,
    }


def _ms(value: str) -> float:
    number, unit = float(re.match(r"[\d.]+", value).group()), re.sub(r"[\d.]", "", value)  # type: ignore[union-attr]
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict[str, Any]:
    percentiles = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M)}
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": requests,
        "requests_per_s": rate,
        "p50_ms": percentiles.get("50"),
        "p90_ms": percentiles.get("90"),
        "p99_ms": percentiles.get("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def bench(target: Target, wrk: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    integration_id, secret = prepare(target)
    script = work / "webhook.lua"
    script.write_text(LUA)
    port = free_port()
    log = work / f"serve-{target.label}.log"
    with serving(target, port, log) as (base, pid):
        url = f"{base}/webhooks/mailchimp/{integration_id}/{secret}"
        before = cpu_seconds(pid)
        result = run_wrk(wrk, url, script, args.seconds, args.connections, args.threads)
        time.sleep(1)  # the last in-flight requests finish their commit
        result["server_cpu_ms_per_request"] = (cpu_seconds(pid) - before) * 1000 / max(result["requests"], 1)
    stored = inbox_rows(target)
    if secret in log.read_text():
        raise SystemExit(f"the webhook secret appears in the server's log ({log})")
    return {"database": target.label, "stored_rows": stored, **result}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args()
    wrk = require_wrk()
    with (
        tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp,
        targets(args.database, Path(tmp)) as found,
    ):
        results = [bench(target, wrk, Path(tmp), args) for target in found]
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if k != "raw"} for r in results], indent=2))
        return
    print(
        f"load average {os.getloadavg()[0]:.2f}; wrk -t{args.threads} -c{args.connections} -d{args.seconds}s"
    )
    for r in results:
        lost = r["requests"] - r["non_2xx"] - r["stored_rows"]
        print(
            f"{r['database']:<10} {r['requests_per_s']:8.0f} req/s  p50 {r['p50_ms']:.1f} ms  "
            f"p90 {r['p90_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms  non-2xx {r['non_2xx']}  "
            f"stored {r['stored_rows']} of {r['requests']} answered (difference {lost})  "
            f"server CPU {r['server_cpu_ms_per_request']:.2f} ms/request"
        )


if __name__ == "__main__":
    main()
