"""Benchmark: ``constituent contacts import`` of a generated 100,000-row CSV on SQLite and PostgreSQL.

Run: .venv/bin/python bench/csv_import.py [--rows 100000] [--postgres URL | --no-postgres] [--rerun]
Prints rows/s for each database; ``--rerun`` also times importing the same file again (every row an
update by external_id, nothing changed).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from faker import Faker
from sqlalchemy import create_engine, text

from constituent.crm.imports.columns import ALL
from constituent.kit.db import normalise_url

CONSTITUENT = Path(sys.executable).with_name("constituent")
GROUPS = [f"Group {n:02d}" for n in range(20)]
SEED = 2026


def _pools(faker: Faker) -> dict[str, list[str]]:
    # Faker is slow per call; draw pools once and combine them with a seeded random.
    return {
        "first": [faker.first_name() for _ in range(500)],
        "last": [faker.last_name() for _ in range(1000)],
        "street": [faker.street_address() for _ in range(2000)],
        "city": [faker.city() for _ in range(300)],
        "state": [faker.state_abbr() for _ in range(50)],
        "company": [faker.company() for _ in range(500)],
    }


def _row(n: int, rng: random.Random, pools: dict[str, list[str]]) -> dict[str, str]:
    kind = "individual" if rng.random() < 0.9 else "organization"
    first, last = rng.choice(pools["first"]), rng.choice(pools["last"])
    return {
        "kind": kind,
        "first_name": first if kind == "individual" else "",
        "last_name": last if kind == "individual" else "",
        "organization_name": rng.choice(pools["company"]) if kind == "organization" else "",
        "email": f"{first}.{last}.{n}@mailbox.org".lower(),
        "is_active": rng.choice(("true", "yes", "1")),
        "do_not_email": "false" if rng.random() < 0.95 else "true",
        "groups": ";".join(rng.sample(GROUPS, rng.randint(0, 3))),
        "external_id": f"B{n:07d}",
        "secondary_emails": f"{first}{n}@work.fastmail.com".lower() if rng.random() < 0.2 else "",
        "street": rng.choice(pools["street"]),
        "city": rng.choice(pools["city"]),
        "state": rng.choice(pools["state"]),
        "postal_code": f"{rng.randint(1000, 99999):05d}",
        "country": "US",
        "phone": f"+1 555 {rng.randint(0, 9999):04d}",
        "is_deceased": "false",
    }


def generate(path: Path, rows: int) -> None:
    faker = Faker("en_US")
    Faker.seed(SEED)
    rng = random.Random(SEED)
    pools = _pools(faker)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ALL)
        writer.writeheader()
        writer.writerows(_row(n, rng, pools) for n in range(rows))


def timed_import(csv_path: Path, env: dict[str, str]) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, CPU seconds of the importing process, and its JSON result."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [str(CONSTITUENT), "contacts", "import", str(csv_path), "--create-groups", "--json"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, _children_cpu() - cpu_before, json.loads(done.stdout)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(label: str, timing: tuple[float, float], rows: int, result: dict[str, object]) -> None:
    seconds, cpu = timing
    rejected = len(result["rejected"])  # type: ignore[arg-type]
    load = os.getloadavg()[0]
    print(
        f"{label:<28} {seconds:7.1f} s  {rows / seconds:8.0f} rows/s  "
        f"(client CPU {cpu:.1f} s, load {load:.1f})  "
        f"created={result['created']} updated={result['updated']} rejected={rejected}"
    )


def bench(label: str, csv_path: Path, rows: int, env: dict[str, str], rerun: bool) -> None:
    seconds, cpu, result = timed_import(csv_path, env)
    report(label, (seconds, cpu), rows, result)
    if rerun:
        seconds, cpu, result = timed_import(csv_path, env)
        report(f"{label} (re-run, updates)", (seconds, cpu), rows, result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--rerun", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv_path = work / "contacts.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"generated {args.rows} rows ({size_mb:.1f} MB) in {time.perf_counter() - started:.1f} s")

        sqlite_env = {
            "CONSTITUENT_DATA_DIR": str(work),
            "CONSTITUENT_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        }
        bench("SQLite", csv_path, args.rows, sqlite_env, args.rerun)
        if not args.no_postgres:
            bench_postgres(args.postgres, csv_path, args.rows, work, args.rerun)


def bench_postgres(url: str, csv_path: Path, rows: int, work: Path, rerun: bool) -> None:
    # A throwaway schema, so the benchmark never touches anyone's tables.
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        env = {
            "CONSTITUENT_DATA_DIR": str(work),
            "CONSTITUENT_DATABASE_URL": url,
            "PGOPTIONS": f"-csearch_path={schema}",
        }
        bench("PostgreSQL", csv_path, rows, env, rerun)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
