"""The webhook URL holds its secret; the web server's access log shows it as ***."""

from __future__ import annotations

import logging

import pytest

import constituent.web.mailchimp_routes  # noqa: F401  (installs the filter, as serving the app does)
from constituent.integrations.mailchimp.inbound.access_log import ACCESS_LOGGER


def test_the_access_log_never_shows_a_webhook_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    access = logging.getLogger(ACCESS_LOGGER)
    # The record exactly as uvicorn writes it.
    access.info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "POST", "/webhooks/mailchimp/3/s3cr3t-x_Y", "1.1", 200
    )
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/contacts/3", "1.1", 200)
    assert "s3cr3t" not in caplog.text
    assert '"POST /webhooks/mailchimp/3/*** HTTP/1.1" 200' in caplog.text
    assert '"GET /contacts/3 HTTP/1.1" 200' in caplog.text
