"""Settings read from the environment (prefix ``CONSTITUENT_``), with safe defaults for one machine."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSTITUENT_", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Where the embedded databases and keys live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file in the data dir."
    )
    secret_keys: str | None = Field(
        default=None,
        description="Comma-separated Fernet keys, newest first; generated into the data dir when unset.",
    )
    base_url: str = Field(default="http://127.0.0.1:8000", description="Public URL of this server.")
    queue_url: str | None = Field(
        default=None, description="Huey backend: sqlite:///…, postgresql://…, redis://…"
    )
    mailchimp_api_base: str | None = Field(default=None, description="Override of the API root incl. /3.0.")
    mailchimp_oauth_base: str | None = Field(default=None, description="Root under which /oauth2/... lives.")
    mailchimp_client_id: str | None = None
    mailchimp_client_secret: str | None = None
    mailchimp_retry_attempts: int = Field(
        default=6,
        ge=1,
        description="How many times a request to Mailchimp is tried when it answers 429, 5xx or not at all.",
    )
    mailchimp_retry_base_seconds: float = Field(
        default=0.25,
        gt=0,
        description="The first wait before trying Mailchimp again; each later wait may be up to twice "
        "the last (random, at most 8 s).",
    )
    log_json: bool = Field(default=False, description="Structured JSON logs (production).")
    sync_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Lifetime of a sync's lease; renewed (with the run's heartbeat) every third of it. "
        "The reaper calls a run dead once its heartbeat is this old and its lease has expired.",
    )
    sync_slice_contacts: int = Field(
        default=20_000,
        ge=1,
        description="A sync reads, plans and sends this many contacts at a time, so its memory follows this "
        "number and not the size of the audience.",
    )
    nightly_spread_minutes: int = Field(
        default=60,
        ge=1,
        description="Nightly syncs start within this many minutes after their time (a fixed offset per "
        "integration), so a host with thousands of integrations does not start them all at once.",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'constituent.db').resolve()}"

    @property
    def resolved_queue_url(self) -> str:
        if self.queue_url:
            return self.queue_url
        return f"sqlite:///{(self.data_dir / 'queue.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Forget cached settings (tests and CLI options change the environment)."""
    get_settings.cache_clear()
