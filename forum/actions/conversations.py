"""Private conversations: start one with other members, send messages, read them. Only the
members of a conversation may learn it exists: everyone else is told there is no such thing."""

from __future__ import annotations

from typing import Any

from forum.actions import NotFound, PermissionDenied, require_writer
from forum.actions.blocks import refuse_if_blocked
from forum.actions.notify import user_channel
from forum.auth import Member
from forum.clock import isoformat, utcnow
from forum.db import conversations, live_log, users
from forum.ratelimit.limits import MESSAGES_PER_MEMBER
from forum.realtime.envelopes import LEFT_EVENT
from forum.services import Forum
from forum.text import render_markdown
from forum.validation import ValidationError, check_body, plain_text

# Everyone in a conversation hears every message: a cap keeps it a conversation, not a list.
MAX_PARTICIPANTS = 20
TITLE_MAX = 200


def conversation_channel(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


async def _recipients(forum: Forum, member: Member, to: Any) -> list[Any]:
    if not isinstance(to, list) or not to or not all(isinstance(name, str) for name in to):
        raise ValidationError({"to": "Name at least one member to write to."})
    names = [name for name in dict.fromkeys(name.strip().lstrip("@").lower() for name in to)
             if name and name != member.username.lower()]
    if not names:
        raise ValidationError({"to": "Name at least one other member to write to."})
    if len(names) + 1 > MAX_PARTICIPANTS:
        raise ValidationError({"to": f"A conversation has at most {MAX_PARTICIPANTS} people in it."})
    rows = await users.by_usernames(forum.db, names)
    missing = sorted(set(names) - {row["username_key"] for row in rows})
    if missing:
        raise ValidationError({"to": f"No member is called {', '.join(missing)}."})
    return rows


async def start(forum: Forum, member: Member | None, to: Any, title: Any, body: Any) -> int:
    member = require_writer(member)
    recipients = await _recipients(forum, member, to)
    clean_title = " ".join(plain_text(title or "", "title").split())
    if len(clean_title) > TITLE_MAX:
        raise ValidationError({"title": f"Keep the title to {TITLE_MAX} characters."})
    clean_body = check_body(body)
    await refuse_if_blocked(forum, member.id, [row["id"] for row in recipients])
    await _take_allowance(forum, member)
    now = utcnow()
    async with forum.db.transaction():
        conversation_id = await conversations.create(
            forum.db, member.id, clean_title, [member.id, *(row["id"] for row in recipients)], now)
        await _add_message(forum, member, conversation_id, clean_body)
    return conversation_id


async def send(forum: Forum, member: Member | None, conversation_id: int, body: Any) -> Any:
    """A message from a member of the conversation; returns its row."""
    if member is None:
        raise PermissionDenied("Log in to send messages.")
    if not await conversations.is_member(forum.db, conversation_id, member.id):
        raise NotFound("No conversation has that id.")  # the same answer as for none at all
    member = require_writer(member)
    clean_body = check_body(body)
    await refuse_if_blocked(forum, member.id, [
        p["id"] for p in await conversations.participants(forum.db, conversation_id)])
    await _take_allowance(forum, member)
    async with forum.db.transaction():
        message_id = await _add_message(forum, member, conversation_id, clean_body)
    return await conversations.message_by_id(forum.db, message_id)


async def _take_allowance(forum: Forum, member: Member) -> None:
    if not member.is_moderator:
        await forum.limits.take(f"message:{member.id}", MESSAGES_PER_MEMBER,
                                "You are sending messages faster than the forum allows.")


async def leave(forum: Forum, member: Member | None, conversation_id: int) -> None:
    """Out of the list and out of earshot; the others read "X left the conversation"."""
    if member is None:
        raise PermissionDenied("Log in to leave a conversation.")
    if not await conversations.is_member(forum.db, conversation_id, member.id):
        raise NotFound("No conversation has that id.")
    async with forum.db.transaction():
        await conversations.remove_member(forum.db, conversation_id, member.id)
        await _add_message(forum, member, conversation_id, "", kind="left")
        # The hub takes the leaver's open connections off the channel when it reads this.
        await live_log.append(forum.db, conversation_channel(conversation_id), LEFT_EVENT,
                               {"conversation_id": conversation_id}, author_id=member.id)


async def mute(forum: Forum, member: Member | None, conversation_id: int, muted: bool) -> None:
    if member is None:
        raise PermissionDenied("Log in to mute a conversation.")
    if not await conversations.is_member(forum.db, conversation_id, member.id):
        raise NotFound("No conversation has that id.")
    await conversations.set_muted(forum.db, conversation_id, member.id, muted)


async def _add_message(forum: Forum, member: Member, conversation_id: int, body: str,
                       kind: str = "text") -> int:
    now = utcnow()
    message_id = await conversations.add_message(forum.db, conversation_id, member.id, body,
                                                 render_markdown(body) if body else "", now, kind)
    message = await conversations.message_by_id(forum.db, message_id)
    await live_log.append(forum.db, conversation_channel(conversation_id), "message.created", {
        "conversation_id": conversation_id, **message_json(message),
        # The page inserts it as is: the same partial the page itself renders.
        "fragment": forum.templates.render_fragment("messages/_message.html", m=message).strip()},
        subject=f"message:{message_id}", author_id=member.id)
    await _tell_unread(forum, conversation_id, member.id)
    return message_id


async def _tell_unread(forum: Forum, conversation_id: int, author_id: int) -> None:
    """Each other participant's header count, on their own channel. It carries counts only, no
    names or words: what was written stays on the conversation's channel."""
    for person in await conversations.participants(forum.db, conversation_id):
        if person["id"] != author_id and not person["muted"]:
            await live_log.append(forum.db, user_channel(person["id"]), "message.unread", {
                "conversation_id": conversation_id,
                "unread": await conversations.unread_total(forum.db, person["id"])})


def message_json(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "kind": row["kind"], "author": row["author_username"],
            "author_display_name": row["author_display_name"], "body": row["body"],
            "html": row["html"], "created_at": isoformat(row["created_at"])}
