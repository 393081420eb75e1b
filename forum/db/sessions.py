"""Server-side sessions and API tokens, stored by hash: logging out ends a session for real.
A member can list their own and end any of them; every query here is scoped to its owner."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from forum.auth import SESSION_MAX_AGE_SECONDS, new_token, token_hash
from forum.clock import as_utc, utcnow
from forum.db.engine import Database
from forum.db.raw import RawSelect, columns_sql
from forum.db.tables import Timestamp, api_tokens, sessions, users

# "Last seen" and "last used" are refreshed at most this often: a page view reads the session
# row anyway, so a stale stamp costs one extra write a minute, not one write per request.
TOUCH_EVERY = timedelta(minutes=1)
# The browser drops the cookie this long after sign-in; the server refuses the session then too,
# so a copied cookie stops working when the member's own would have.
SESSION_LIFETIME = timedelta(seconds=SESSION_MAX_AGE_SECONDS)
# Ids are 32-bit integers; a larger one from a URL cannot exist (and PostgreSQL would refuse it).
MAX_ID = 2**31 - 1


def _opened_before(moment: datetime) -> sa.ColumnElement[bool]:
    return sessions.c.created_at <= moment - SESSION_LIFETIME


async def create_session(db: Database, user_id: int, user_agent: str = "") -> str:
    """A new session; the member's expired ones are cleared away on the way."""
    token = new_token()
    now = utcnow()
    await db.execute(sessions.delete().where(sessions.c.user_id == user_id, _opened_before(now)))
    await db.execute(sessions.insert().values(
        token_hash=token_hash(token), user_id=user_id, created_at=now, last_seen_at=now,
        user_agent=user_agent[:200]))
    return token


async def end_session(db: Database, token: str) -> None:
    await db.execute(sessions.delete().where(sessions.c.token_hash == token_hash(token)))


def _is_stale(stamp: datetime | None, now: datetime) -> bool:
    seen = as_utc(stamp)
    return seen is None or now - seen >= TOUCH_EVERY


_SESSION_COLUMNS = [*users.c, sessions.c.id.label("session_id"),
                    sessions.c.last_seen_at.label("session_last_seen_at")]


def user_for_session_query(hashed_token: str, opened_after: datetime) -> sa.Select:
    """The Core statement USER_FOR_SESSION stands for (the tests compare the two)."""
    return (sa.select(*_SESSION_COLUMNS).join(sessions, sessions.c.user_id == users.c.id)
            .where(sessions.c.token_hash == hashed_token, sessions.c.created_at > opened_after))


# Read on every signed-in request: plain SQL.
USER_FOR_SESSION = RawSelect(f"""
SELECT {columns_sql(users)}, sessions.id, sessions.last_seen_at
FROM users JOIN sessions ON sessions.user_id = users.id
WHERE sessions.token_hash = ? AND sessions.created_at > ?""", _SESSION_COLUMNS, [None, Timestamp])


async def user_for_session(db: Database, token: str) -> Any:
    """The member whose live session this is; None for an unknown or expired one."""
    now = utcnow()
    row = await USER_FOR_SESSION.fetch_one(db, token_hash(token), now - SESSION_LIFETIME)
    if row is not None and _is_stale(row["session_last_seen_at"], now):
        await db.execute(sessions.update().where(sessions.c.id == row["session_id"])
                         .values(last_seen_at=now))
    return row


async def session_id_for(db: Database, token: str | None) -> int | None:
    """The id of the session this cookie token opened, to mark "this session" in a list."""
    if not token:
        return None
    return await db.fetch_val(sa.select(sessions.c.id).where(sessions.c.token_hash == token_hash(token)))


async def sessions_of(db: Database, user_id: int) -> list[Any]:
    return await db.fetch_all(
        sa.select(sessions.c.id, sessions.c.created_at, sessions.c.last_seen_at, sessions.c.user_agent)
        .where(sessions.c.user_id == user_id, sa.not_(_opened_before(utcnow())))
        .order_by(sessions.c.last_seen_at.desc(), sessions.c.id.desc()))


async def end_session_of(db: Database, user_id: int, session_id: int) -> bool:
    """End one of this member's sessions; False if they have none with that id (someone
    else's id included, so it cannot be told apart from one that never existed)."""
    if not 0 < session_id <= MAX_ID:
        return False
    owned = sa.and_(sessions.c.id == session_id, sessions.c.user_id == user_id)
    if await db.fetch_val(sa.select(sessions.c.id).where(owned)) is None:
        return False
    await db.execute(sessions.delete().where(owned))
    return True


async def end_other_sessions(db: Database, user_id: int, keep_token: str | None) -> int:
    """End every session of the member but the one opened with keep_token; returns how many."""
    others = sessions.c.user_id == user_id
    if keep_token:
        others = sa.and_(others, sessions.c.token_hash != token_hash(keep_token))
    count = await db.fetch_val(sa.select(sa.func.count()).select_from(sessions).where(others))
    await db.execute(sessions.delete().where(others))
    return int(count or 0)


async def create_api_token(db: Database, user_id: int) -> str:
    token = new_token()
    await db.execute(api_tokens.insert().values(
        token_hash=token_hash(token), user_id=user_id, created_at=utcnow()))
    return token


async def user_for_api_token(db: Database, token: str) -> Any:
    query = (sa.select(users, api_tokens.c.id.label("api_token_id"),
                       api_tokens.c.last_used_at.label("api_token_last_used_at"))
             .join(api_tokens, api_tokens.c.user_id == users.c.id)
             .where(api_tokens.c.token_hash == token_hash(token)))
    row = await db.fetch_one(query)
    now = utcnow()
    if row is not None and _is_stale(row["api_token_last_used_at"], now):
        await db.execute(api_tokens.update().where(api_tokens.c.id == row["api_token_id"])
                         .values(last_used_at=now))
    return row


async def api_tokens_of(db: Database, user_id: int) -> list[Any]:
    return await db.fetch_all(
        sa.select(api_tokens.c.id, api_tokens.c.created_at, api_tokens.c.last_used_at)
        .where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id.desc()))


async def revoke_api_token_of(db: Database, user_id: int, token_id: int) -> bool:
    """Revoke one of this member's tokens; False if they have none with that id."""
    if not 0 < token_id <= MAX_ID:
        return False
    owned = sa.and_(api_tokens.c.id == token_id, api_tokens.c.user_id == user_id)
    if await db.fetch_val(sa.select(api_tokens.c.id).where(owned)) is None:
        return False
    await db.execute(api_tokens.delete().where(owned))
    return True


async def revoke_api_tokens(db: Database, user_id: int) -> int:
    mine = api_tokens.c.user_id == user_id
    count = await db.fetch_val(sa.select(sa.func.count()).select_from(api_tokens).where(mine))
    await db.execute(api_tokens.delete().where(mine))
    return int(count or 0)
