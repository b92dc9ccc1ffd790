"""How one emulator process behaves: where it listens, its simulated network, where it keeps its state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8025
    # Added to every /3.0 response, so benchmarks see a real network's round trip.
    latency_ms: int = 0
    # Mailchimp allows 10 simultaneous connections per account; more get 429.
    max_connections: int = 10
    state_file: Path | None = None
    dc: str = "us1"
    # Webhook deliveries: Mailchimp retries "at increasing intervals over the course of 75 minutes" and
    # gives up on a receiver after 10 s; tests shrink both.
    webhook_retry_delays: tuple[float, ...] = (60, 120, 300, 600, 900, 1200, 1320)
    webhook_timeout_seconds: float = 10.0

    @property
    def public_url(self) -> str:
        return f"http://{self.host}:{self.port}"
