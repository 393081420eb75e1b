"""Reporting one private message to the moderators, and their dismissing it. A report hands
the moderators that message alone: the conversation itself stays closed to them."""

from __future__ import annotations

from typing import Any

from forum.actions import NotFound, PermissionDenied, require_moderator, require_writer
from forum.actions.moderation import check_report_reason
from forum.auth import Member
from forum.clock import utcnow
from forum.db import conversations, message_reports, moderation
from forum.services import Forum
from forum.validation import ValidationError


async def reportable(forum: Forum, member: Member | None, conversation_id: int, message_id: int) -> Any:
    """The message, if this member may report it; anyone outside the conversation learns nothing."""
    if member is None:
        raise PermissionDenied("Log in to report a message.")
    message = await conversations.message_by_id(forum.db, message_id)
    if (message is None or message["conversation_id"] != conversation_id or message["kind"] != "text"
            or not await conversations.is_member(forum.db, conversation_id, member.id)):
        raise NotFound("No conversation has that message.")
    return message


async def report(forum: Forum, member: Member | None, conversation_id: int, message_id: int,
                 reason: Any) -> int:
    message = await reportable(forum, member, conversation_id, message_id)
    member = require_writer(member)
    if message["author_id"] == member.id:
        raise ValidationError({"reason": "You can't report your own message."})
    text = check_report_reason(reason, "Say what is wrong with this message.")
    return await message_reports.add(forum.db, message_id, member.id, text, utcnow())


async def dismiss(forum: Forum, member: Member | None, report_id: int) -> None:
    member = require_moderator(member)
    row = await message_reports.by_id(forum.db, report_id)
    if row is None:
        raise NotFound("No such report.")
    async with forum.db.transaction():
        await message_reports.resolve(forum.db, row["message_id"], member.id, utcnow())
        await moderation.record(forum.db, member.id, "message_report_dismiss", reason=row["reason"])
