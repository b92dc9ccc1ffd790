"""Structured logs (structlog): JSON in production, readable lines on a terminal.

``configure(settings)`` once per process (``serve``, ``worker``, the CLI); ``get_logger(name)`` anywhere.
Context bound with ``bound(run_id=…, integration_id=…)`` lands on every line logged inside the block.
Two processors run on every event, whoever logs it (our code or the standard library through the
same formatter): email addresses are masked, and fields that look like credentials are dropped.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from constituent.kit.settings import Settings

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_SECRET_WORDS = ("token", "secret", "password", "key", "authorization", "credential", "cookie")


def mask_email(text: str) -> str:
    """``ada.lovelace@example.org`` → ``a***@example.org``: enough to tell people apart, not to mail them."""
    return _EMAIL.sub(r"\1***@\2", text)


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return mask_email(value)
    if isinstance(value, MutableMapping):
        return {k: _scrub(v) for k, v in value.items() if not _is_secret(str(k))}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def scrub(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Drop credential-like fields and mask email addresses everywhere in the event."""
    return {k: _scrub(v) for k, v in event_dict.items() if not _is_secret(k)}


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        scrub,
    ]


def configure(settings: Settings, *, level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Route structlog and the standard library through one formatter (JSON when ``log_json``) to
    ``stream`` (standard error unless given)."""
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared = _shared_processors()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,  # so tests can capture logs after a configure()
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # One line per HTTP request to Mailchimp drowns everything else; failures are logged by the client.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))


def get_logger(name: str) -> Any:
    """A structlog logger (``log.info("event", key=value)``)."""
    return structlog.stdlib.get_logger(name)


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Bind ``values`` (run_id, integration_id, ...) to every log line within the block, in this context."""
    with structlog.contextvars.bound_contextvars(**values):
        yield
