"""Keep it attacked (issue 13): schemathesis against /api/v1/openapi.json and a webhook fuzz, on SQLite
and PostgreSQL, counting answers of 500 and above. Not a timed test: a reproducible run whose figures
go to docs/RELIABILITY.md.

    .venv/bin/python -m bench.fuzz --db both --port 18210 --examples 20

For each database: migrate a fresh one (a file, or a schema of its own on PostgreSQL), add an admin with
an API token, a few contacts, a group and a saved search, connect an integration to the emulator (its own
process), then serve the app (`constituent serve`, the Huey queue in a file nobody consumes, so a
requested sync only queues). Then:

1. `schemathesis run` with the admin's token: every operation, generated and mutated inputs
   (``--max-examples`` each), the check ``not_a_server_error``; the NDJSON report gives every status.
2. the webhook fuzz: deliveries built by hypothesis from Mailchimp's fields (mutated values, NUL bytes
   raw and percent-encoded, odd addresses, huge ints, wrong encodings, random bytes), all sent at once in
   bursts so PostgreSQL's group commit holds good and bad rows together; every answer must be 200 or 400.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
from bench.sync_setup import Emulator, running_emulator
from bench.webhook_intake import Target, serving, targets

from constituent.auth import service as auth
from constituent.auth.models import Role
from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.groups import service as groups
from constituent.crm.searches import service as searches
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.schemas import AudienceContact, CampaignDefaults, ConnectRequest
from constituent.kit import migrate
from constituent.kit.crypto import SecretBox
from constituent.kit.db import make_engine, make_sessionmaker, session_scope
from constituent.kit.settings import Settings

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))


@dataclass
class Prepared:
    token: str
    integration_id: int
    webhook_secret: str
    audience_id: str


def prepare(target: Target, emulator: Emulator) -> Prepared:
    data_dir = Path(target.env["CONSTITUENT_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(target.database_url, schema=target.schema)
    migrate.upgrade(engine)
    box = SecretBox.from_settings(Settings(data_dir=data_dir))
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as session:
        auth.create_user(session, "fuzz@mailbox.org", "a long fuzzing password", role=Role.admin)
        token = auth.create_token(session, "fuzz@mailbox.org", name="fuzz").raw
        ids = [
            contacts.create_contact(
                session,
                ContactCreate(first_name=f"P{n}", emails=[EmailIn(address=f"p{n}@mailbox.org")]),
                "fuzz",
            ).id
            for n in range(5)
        ]
        group = groups.create_group(session, "Volunteers", actor="fuzz")
        groups.add_to_group(session, group.id, ids[:3], method="user", actor="fuzz")
        town = {"field": "city", "op": "eq", "value": "Springfield"}
        searches.create_search(session, SavedSearchCreate(name="Springfield", filter=town))
    request = ConnectRequest(
        name="Fuzz",
        audience_name="Fuzz",
        contact=AudienceContact(company="Fuzz", address1="1 Elm St", city="Springfield", country="US"),
        permission_reminder="You signed up at one of our events.",
        campaign_defaults=CampaignDefaults(from_name="Fuzz", from_email="news@fuzz.co.uk", subject="News"),
    )
    credentials = Credentials("api_key", emulator.api_key, emulator.api_base)
    with session_scope(sessions) as session:
        integration = asyncio.run(service.connect(session, box, request, credentials))
        prepared = Prepared(
            token,
            integration.id,
            box.decrypt(integration.webhook_secret_encrypted),
            integration.audience_id,
        )
    engine.dispose()
    return prepared


def run_schemathesis(base: str, token: str, examples: int, work: Path) -> dict[str, object]:
    report = work / "schemathesis.ndjson"
    command = [
        SCHEMATHESIS, "run", f"{base}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error",
        "--max-examples", str(examples),
        "--seed", "13",
        "--workers", "1",
        "--report", "ndjson", "--report-ndjson-path", str(report),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=3600, cwd=work)
    (work / "schemathesis.out").write_text(result.stdout + result.stderr)
    statuses = _statuses_in(report)
    return {
        "command": " ".join(
            ["schemathesis", *command[1:3], "--header 'Authorization: Bearer …'", *command[5:]]
        ),
        "exit": result.returncode,
        "requests": sum(statuses.values()),
        "by_status": dict(sorted(statuses.items())),
        "5xx": sum(n for status, n in statuses.items() if status >= 500),
    }


def _statuses_in(report: Path) -> Counter[int]:
    """Every response status in schemathesis's NDJSON events (wherever a response is recorded)."""
    found: Counter[int] = Counter()
    if not report.exists():
        return found
    for line in report.read_text().splitlines():
        _collect(json.loads(line), found)
    return found


def _collect(node: object, found: Counter[int]) -> None:
    if isinstance(node, dict):
        response = node.get("response")
        if isinstance(response, dict) and isinstance(response.get("status_code"), int):
            found[response["status_code"]] += 1
        for value in node.values():
            _collect(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect(value, found)


# -- the webhook fuzz ------------------------------------------------------------------------------


def _good_fields(audience_id: str, n: int) -> dict[str, str]:
    kind = random.choice(["subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign"])
    fields = {"type": kind, "fired_at": "2030-01-01 10:00:00", "data[list_id]": audience_id}
    if kind == "upemail":
        fields |= {"data[old_email]": f"old{n}@mailbox.org", "data[new_email]": f"new{n}@mailbox.org"}
    elif kind == "campaign":
        fields |= {"data[id]": f"c{n}", "data[subject]": "News", "data[status]": "sent"}
    else:
        fields |= {"data[email]": f"f{n}@mailbox.org", "data[merges][FNAME]": "Ann", "data[reason]": "manual"}
    return fields


_NASTY = [
    "\x00", "a\x00b", "x@y@z", "@", "a@", "@b", "a@b..c", "a b@mailbox.org", "ä@ü.example", "😀@mailbox.org",
    "9" * 40, "-1", str(2**64), "", " ", "\r\n", "<script>", "=cmd|' /C calc'!A0", "%00", "a" * 400,
    "2030-13-45 99:99:99", "9999-12-31 23:59:59", "0000-00-00 00:00:00", "\ud800",
]  # fmt: skip


def _mutated_body(audience_id: str, n: int) -> bytes:
    fields = _good_fields(audience_id, n)
    for _ in range(random.randint(0, 3)):
        key = random.choice([*fields, "data[merges][LNAME]", "data[extra]", "type", "fired_at"])
        fields[key] = random.choice(_NASTY)
    body = urlencode(fields, quote_via=quote, errors="surrogatepass").encode("utf-8", "surrogatepass")
    roll = random.random()
    if roll < 0.1:
        return body.replace(b"=", b"=\x00", 1)  # a raw NUL byte
    if roll < 0.15:
        return bytes(random.getrandbits(8) for _ in range(random.randint(0, 300)))
    if roll < 0.2:
        return body + b"&" + b"&".join(b"k%d=v" % i for i in range(2100))  # too many fields
    return body


async def _burst(url: str, bodies: list[bytes]) -> list[int]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "MailChimp.com"}
    async with httpx.AsyncClient(timeout=120) as client:
        answers = await asyncio.gather(*(client.post(url, content=b, headers=headers) for b in bodies))
    return [a.status_code for a in answers]


def run_webhook_fuzz(base: str, prepared: Prepared, deliveries: int, burst: int) -> dict[str, object]:
    url = f"{base}/webhooks/mailchimp/{prepared.integration_id}/{prepared.webhook_secret}"
    statuses: Counter[int] = Counter()
    for start in range(0, deliveries, burst):
        bodies = [
            _mutated_body(prepared.audience_id, n) for n in range(start, min(start + burst, deliveries))
        ]
        statuses.update(asyncio.run(_burst(url, bodies)))
    return {
        "deliveries": deliveries,
        "burst": burst,
        "by_status": dict(sorted(statuses.items())),
        "5xx": sum(n for status, n in statuses.items() if status >= 500),
    }


def fuzz_one(
    target: Target, emulator: Emulator, args: argparse.Namespace, work: Path
) -> dict[str, dict[str, object]]:
    prepared = prepare(target, emulator)
    work.mkdir(parents=True, exist_ok=True)
    with serving(target, args.port, work / "serve.log") as (base, _pid):
        return {
            # Webhooks first: schemathesis, an admin, may well remove the integration (DELETE is in the API).
            "webhooks": run_webhook_fuzz(base, prepared, args.deliveries, args.burst),
            "schemathesis": run_schemathesis(base, prepared.token, args.examples, work),
        }


@contextmanager
def _work_dir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="i13h-fuzz-") as made:
        yield Path(made)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--port", type=int, default=18210, help="the app's port (the emulator takes port+1)")
    parser.add_argument("--examples", type=int, default=20, help="schemathesis --max-examples per operation")
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=195)
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args()
    random.seed(13)
    results: dict[str, dict[str, dict[str, object]]] = {}
    with (
        _work_dir(args.work_dir) as work,
        running_emulator(0, work / "emulator.log", port=args.port + 1) as mc,
    ):
        os.environ["CONSTITUENT_MAILCHIMP_API_BASE"] = mc.api_base
        with targets(args.db, work) as found:
            for target in found:
                results[target.label] = fuzz_one(target, mc, args, work / target.label)
                print(json.dumps({target.label: results[target.label]}, indent=2), flush=True)
    failed = any(part["5xx"] for result in results.values() for part in result.values())
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
