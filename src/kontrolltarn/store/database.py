"""Where the store lives: PostgreSQL in production (``KONTROLLTARN_DATABASE_URL``), an SQLite file
as the embedded default; and bringing its schema up to date with the shipped Alembic migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

ENV_URL = "KONTROLLTARN_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"


def default_url() -> str:
    """``KONTROLLTARN_DATABASE_URL`` if set, else an SQLite file in the working directory."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    return f"sqlite:///{Path.cwd() / 'kontrolltarn.sqlite3'}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url``; PostgreSQL URLs use psycopg 3, SQLite files run in WAL mode."""
    url = url or default_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers do not block the writer; FULL sync: an acknowledged event survives a crash.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
