"""One-use links mailed to a member (confirm an address, reset a password), kept by hash."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from forum.auth import new_token, token_hash
from forum.db.engine import Database
from forum.db.tables import account_tokens

CONFIRM_EMAIL = "confirm_email"
PASSWORD_RESET = "password_reset"


async def create(db: Database, *, user_id: int, purpose: str, email: str, now: datetime,
                 lifetime: timedelta) -> str:
    """A new link's token (only its sha256 is stored); the member's older unused links for the
    same purpose stop working, so only the newest email counts."""
    await db.execute(account_tokens.delete().where(account_tokens.c.user_id == user_id,
                                                   account_tokens.c.purpose == purpose))
    token = new_token()
    await db.execute(account_tokens.insert().values(
        token_hash=token_hash(token), user_id=user_id, purpose=purpose, email=email,
        created_at=now, expires_at=now + lifetime))
    return token


def _live(token: str, purpose: str, now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(account_tokens.c.token_hash == token_hash(token), account_tokens.c.purpose == purpose,
                   account_tokens.c.used_at.is_(None), account_tokens.c.expires_at > now)


async def peek(db: Database, token: str, purpose: str, now: datetime) -> Any:
    """The live token's row, without using it (to show the form it opens)."""
    return await db.fetch_one(sa.select(account_tokens).where(_live(token, purpose, now)))


async def use(db: Database, token: str, purpose: str, now: datetime) -> Any:
    """Mark the token used and return its row; None if it is unknown, used or expired. Call
    inside db.transaction(): the row lock (PostgreSQL) or write lock (SQLite) makes two
    simultaneous uses of one token one success and one None."""
    row = await db.fetch_one(sa.select(account_tokens).where(_live(token, purpose, now)).with_for_update())
    if row is None:
        return None
    await db.execute(account_tokens.update().where(account_tokens.c.id == row["id"]).values(used_at=now))
    return row
