"""The results archive of a finished batch: a .tar.gz of JSON files, each a JSON array of operation results.

Clients (the official SDKs, batch-mailchimp) open every member file and `json.load` it, then `json.loads` each
`response` again, so the response body is stored as a JSON *string*, exactly like Mailchimp does.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

# Mailchimp splits large results over several files; clients must not assume a single one.
RESULTS_PER_FILE = 500


@dataclass(frozen=True, slots=True)
class OperationResult:
    """What one batch operation answered."""

    status_code: int
    operation_id: str | None
    response: str

    def as_json(self) -> dict[str, object]:
        return {"status_code": self.status_code, "operation_id": self.operation_id, "response": self.response}


def build_results_archive(batch_id: str, results: Sequence[OperationResult]) -> bytes:
    """Gzipped tar holding `<batch_id>-<nnnn>.json` files; an empty batch still gets one (empty) file."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for number, start in enumerate(range(0, max(len(results), 1), RESULTS_PER_FILE)):
            chunk = [result.as_json() for result in results[start : start + RESULTS_PER_FILE]]
            _add_file(archive, f"{batch_id}-{number:04d}.json", json.dumps(chunk).encode())
    return buffer.getvalue()


def read_results_archive(data: bytes) -> list[OperationResult]:
    """Every result in an archive, in file order; what a client does with `response_body_url`."""
    results: list[OperationResult] = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            extracted = archive.extractfile(member)
            if extracted is None:
                continue
            for item in json.load(extracted):
                results.append(OperationResult(item["status_code"], item["operation_id"], item["response"]))
    return results


def _add_file(archive: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = int(time.time())
    archive.addfile(info, io.BytesIO(payload))
