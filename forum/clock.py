"""Time in one place: UTC, timezone-aware, whatever the engine hands back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import overload

# Set only while the demo writes its year of history through the members' own actions, so
# every row and counter an action writes carries the moment it pretends to happen at.
_pretend_now: ContextVar[datetime | None] = ContextVar("pretend_now", default=None)


def utcnow() -> datetime:
    return _pretend_now.get() or datetime.now(UTC)


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    """utcnow() is `moment` inside the block, for this task alone (a context variable)."""
    token = _pretend_now.set(moment)
    try:
        yield
    finally:
        _pretend_now.reset(token)


@overload
def as_utc(value: datetime | str) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | str | None) -> datetime | None:
    """SQLite returns naive datetimes (stored as UTC), or their text from raw SQL;
    PostgreSQL returns aware ones."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def isoformat(value: datetime | str | None) -> str | None:
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def html_datetime(value: datetime | str | None) -> str | None:
    """For a `datetime` attribute: HTML allows at most three digits of a fraction of a second,
    so whole seconds ('2026-12-01T10:00:00Z'); the API keeps the full precision."""
    value = as_utc(value)
    return isoformat(value.replace(microsecond=0)) if value else None
