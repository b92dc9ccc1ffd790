"""The webhook URL's secret: decrypted once, kept briefly in memory, compared in constant time."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

# Long enough that intake almost never decrypts, short enough that a rotated secret or a removed
# integration stops being accepted soon (a removed one is refused at the INSERT anyway).
SECRET_TTL_SECONDS = 30.0


class SecretCache:
    """Each integration's decrypted webhook secret, kept briefly in memory."""

    def __init__(self, load: Callable[[int], str | None], ttl: float = SECRET_TTL_SECONDS) -> None:
        self._load = load
        self._ttl = ttl
        self._entries: dict[int, tuple[float, bytes | None]] = {}

    def cached(self, integration_id: int) -> tuple[bool, bytes | None]:
        entry = self._entries.get(integration_id)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def refresh(self, integration_id: int) -> bytes | None:
        secret = self._load(integration_id)
        if secret is None:
            # Unknown ids are not remembered: guessing ids must not grow this dict.
            self._entries.pop(integration_id, None)
            return None
        value = secret.encode()
        self._entries[integration_id] = (time.monotonic() + self._ttl, value)
        return value


def secret_is(expected: bytes | None, given: str) -> bool:
    # compare_digest even for an unknown integration, so timing tells nothing about which ids exist.
    return hmac.compare_digest(expected or b"\0", given.encode("utf-8", "surrogateescape"))
