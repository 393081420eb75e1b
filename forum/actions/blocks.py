"""Blocking a member: they can no longer start or continue a private conversation with you,
nor notify you with an @mention. They are not told; a refusal says no more than it must."""

from __future__ import annotations

from typing import Any

from forum.actions import NotFound, PermissionDenied
from forum.auth import Member
from forum.clock import utcnow
from forum.db import blocks, users
from forum.services import Forum
from forum.validation import ValidationError

CANNOT_MESSAGE = "You can't message this member."


async def _other(forum: Forum, member: Member | None, username: Any) -> tuple[Member, Any]:
    if member is None:
        raise PermissionDenied("Log in to block a member.")
    row = await users.by_username(forum.db, username) if isinstance(username, str) else None
    if row is None:
        raise NotFound("No member has that username.")
    if row["id"] == member.id:
        raise ValidationError({"username": "You can't block yourself."})
    return member, row


async def block(forum: Forum, member: Member | None, username: Any) -> None:
    # Suspended members may still block: it protects them, it says nothing to anyone.
    member, row = await _other(forum, member, username)
    await blocks.add(forum.db, member.id, row["id"], utcnow())


async def unblock(forum: Forum, member: Member | None, username: Any) -> None:
    member, row = await _other(forum, member, username)
    await blocks.remove(forum.db, member.id, row["id"])


async def refuse_if_blocked(forum: Forum, sender_id: int, recipient_ids: list[int]) -> None:
    """Refuse a private message to anyone among `recipient_ids` who blocked the sender."""
    if await blocks.blockers_of(forum.db, sender_id, [i for i in recipient_ids if i != sender_id]):
        raise PermissionDenied(CANNOT_MESSAGE)
