"""One TLS context for every outgoing HTTP client of the process.

httpx builds a fresh ``ssl.SSLContext`` (reading the whole CA bundle) for each client it makes unless it is
given one: 40 ms of CPU a client, paid by every sync run, every page that asks Mailchimp something and
every webhook check. The context holds no per-connection state, so one serves them all.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """httpx's own default context (certifi's bundle, SSL_CERT_FILE honoured), made once."""
    return httpx.create_ssl_context()
