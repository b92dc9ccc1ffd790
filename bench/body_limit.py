"""A 150 MB POST without a token against `constituent serve` (issue 13, item 7): the server's RSS before
and after, and the answer. Before the body limit the server read it all (214 → 644 MB in the attack).

    .venv/bin/python -m bench.body_limit --port 18220
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

CLI = str(Path(sys.executable).with_name("constituent"))
SIZE = 150 * 1024 * 1024


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _chunks() -> Iterator[bytes]:
    piece = b"x" * (1024 * 1024)
    for _ in range(SIZE // len(piece)):
        yield piece


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=18220)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="i13h-body-") as work:
        env = {**os.environ, "CONSTITUENT_DATA_DIR": work}
        server = subprocess.Popen(
            [CLI, "serve", "--port", str(args.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            before = rss_mb(server.pid)
            results = {}
            for label, headers in (("declared", {"Content-Length": str(SIZE)}), ("chunked", {})):
                try:
                    body = _chunks() if label == "chunked" else b"x" * SIZE
                    answer = httpx.post(f"{base}/api/v1/contacts", content=body, headers=headers, timeout=120)
                    results[label] = str(answer.status_code)
                except (OSError, httpx.HTTPError) as exc:
                    results[label] = f"connection closed by the server ({type(exc).__name__})"
            after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print({"rss_before_mb": round(before), "rss_after_mb": round(after), "answers": results})


if __name__ == "__main__":
    main()
