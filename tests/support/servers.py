"""What every HTTP server a test starts (the emulator, our app, the holding proxy) has in common."""

from __future__ import annotations

# How long a server keeps an idle connection open. httpx closes its idle connections after 5 s, and so
# did uvicorn: a request sent on a connection idle for just that long could meet the server closing it
# ("Connection reset by peer", seen once in CI on the emulator's control client). The server must
# outlast the client, so the client is always the one that closes.
KEEP_ALIVE_SECONDS = 60
