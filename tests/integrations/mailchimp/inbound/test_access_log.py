"""The webhook URL holds its secret; the web server's access log shows it as ***."""

from __future__ import annotations

import logging

import pytest

import constituent.web.mailchimp_routes  # noqa: F401  (installs the filter, as serving the app does)
from constituent.integrations.mailchimp.inbound.access_log import ACCESS_LOGGER


def test_the_access_log_never_shows_a_webhook_secret_and_skips_stored_deliveries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    access = logging.getLogger(ACCESS_LOGGER)
    line = '%s - "%s %s HTTP/%s" %d'  # the record exactly as uvicorn writes it
    webhook = "/webhooks/mailchimp/3/s3cr3t-x_Y"
    access.info(line, "127.0.0.1:5000", "POST", webhook, "1.1", 404)
    access.info(line, "127.0.0.1:5000", "POST", webhook, "1.1", 200)
    access.info(line, "127.0.0.1:5000", "GET", "/contacts/3", "1.1", 200)
    assert "s3cr3t" not in caplog.text
    assert '"POST /webhooks/mailchimp/3/*** HTTP/1.1" 404' in caplog.text
    assert len(caplog.records) == 2, "a stored delivery is a row in the inbox, not a log line"
    assert '"GET /contacts/3 HTTP/1.1" 200' in caplog.text
