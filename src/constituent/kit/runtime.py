"""The process-wide engine and session factory, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from constituent.kit.db import make_engine, make_sessionmaker
from constituent.kit.settings import Settings, get_settings


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]


def database_for(settings: Settings) -> Database:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    return Database(engine=engine, sessions=make_sessionmaker(engine))


@lru_cache(maxsize=1)
def get_database() -> Database:
    return database_for(get_settings())


def reset_database_cache() -> None:
    get_database.cache_clear()
