"""Server-side sessions and API tokens, stored by hash: logging out ends a session for real."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.auth import new_token, token_hash
from forum.clock import utcnow
from forum.db.engine import Database
from forum.db.tables import api_tokens, sessions, users


async def create_session(db: Database, user_id: int, user_agent: str = "") -> str:
    token = new_token()
    now = utcnow()
    await db.execute(sessions.insert().values(
        token_hash=token_hash(token), user_id=user_id, created_at=now, last_seen_at=now,
        user_agent=user_agent[:200]))
    return token


async def end_session(db: Database, token: str) -> None:
    await db.execute(sessions.delete().where(sessions.c.token_hash == token_hash(token)))


async def user_for_session(db: Database, token: str) -> Any:
    query = (sa.select(users).join(sessions, sessions.c.user_id == users.c.id)
             .where(sessions.c.token_hash == token_hash(token)))
    return await db.fetch_one(query)


async def create_api_token(db: Database, user_id: int) -> str:
    token = new_token()
    await db.execute(api_tokens.insert().values(
        token_hash=token_hash(token), user_id=user_id, created_at=utcnow()))
    return token


async def user_for_api_token(db: Database, token: str) -> Any:
    query = (sa.select(users).join(api_tokens, api_tokens.c.user_id == users.c.id)
             .where(api_tokens.c.token_hash == token_hash(token)))
    return await db.fetch_one(query)
