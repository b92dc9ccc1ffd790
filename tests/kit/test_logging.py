"""Structured logs: JSON lines in production with the run and integration bound, and never a token,
secret or a whole email address — whoever logs it (our code or a library through the standard logging)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from constituent.kit import logging as kit_logging
from constituent.kit.settings import Settings


@pytest.fixture
def json_logs(tmp_path: Path) -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out = io.StringIO()
    kit_logging.configure(Settings(data_dir=tmp_path, log_json=True), stream=out)
    yield out
    root.handlers[:], root.level = handlers, level
    structlog.reset_defaults()


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_json_line_carries_the_bound_run_and_integration(json_logs: io.StringIO) -> None:
    with kit_logging.bound(run_id=7, integration_id=3):
        kit_logging.get_logger("constituent.test").info("sync run ended", status="succeeded")

    (line,) = lines(json_logs)
    assert {k: line[k] for k in ("event", "run_id", "integration_id", "status", "level")} == {
        "event": "sync run ended",
        "run_id": 7,
        "integration_id": 3,
        "status": "succeeded",
        "level": "info",
    }


def test_addresses_are_masked_and_credentials_dropped(json_logs: io.StringIO) -> None:
    log = kit_logging.get_logger("constituent.test")
    log.warning(
        "refused ada.lovelace@example.org", api_key="abc-us1", webhook_secret="s3", detail={"token": "t"}
    )
    logging.getLogger("httpx").warning("POST for bob@example.org failed")

    ours, library = lines(json_logs)
    assert ours["event"] == "refused a***@example.org"
    assert "api_key" not in ours and "webhook_secret" not in ours and ours["detail"] == {}
    assert library["event"] == "POST for b***@example.org failed"
    assert "abc-us1" not in json.dumps([ours, library])


def test_mask_keeps_enough_to_tell_addresses_apart() -> None:
    assert kit_logging.mask_email("from ada@example.org to bo@mail.example.com") == (
        "from a***@example.org to b***@mail.example.com"
    )
