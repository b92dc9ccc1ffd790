"""The webhook URL carries its secret, so the web server's access log must never print it whole (and
stored deliveries, each a row in the inbox, are not logged one by one)."""

from __future__ import annotations

import logging
import re

_WEBHOOK_PATH = re.compile(r"(/webhooks/mailchimp/[^/\s?]*/)[^/\s?\"]+")
ACCESS_LOGGER = "uvicorn.access"


def redact(text: str) -> str:
    """``/webhooks/mailchimp/3/s3cr3t`` → ``/webhooks/mailchimp/3/***``."""
    return _WEBHOOK_PATH.sub(r"\1***", text)


class RedactWebhookSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any("/webhooks/mailchimp/" in str(a) for a in record.args):
            if _stored_delivery(record.args):
                return False
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and "/webhooks/mailchimp/" in record.msg:
            record.msg = redact(record.msg)
        return True


def _stored_delivery(args: tuple[object, ...]) -> bool:
    """A POST answered 200 is a row in the inbox already: a thousand a second need no log line each."""
    return len(args) == 5 and args[1] == "POST" and args[4] == 200


def install() -> None:
    """Add the filter once to the access logger (whoever configures logging, the filter stays)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactWebhookSecrets) for f in logger.filters):
        logger.addFilter(RedactWebhookSecrets())
