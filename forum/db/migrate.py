"""Apply Alembic migrations (`forum migrate`, and at `forum serve` start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def migrate(database_url: str) -> None:
    """Bring the schema to the newest revision. Synchronous: it runs its own event loop, so
    async callers run it in a thread."""
    from forum.db.engine import ensure_sqlite_file

    ensure_sqlite_file(database_url)
    command.upgrade(alembic_config(database_url), "head")
