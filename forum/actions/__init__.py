"""One module per area of verbs. Each action checks (raising ValidationError or
PermissionDenied), then writes in one transaction with its events; the hub is woken by the
commit itself (Database.watch_commits), so a rolled-back change never reaches a browser."""


from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from forum.auth import Member
from forum.clock import utcnow
from forum.ratelimit.limits import NEW_MEMBER_SECONDS, POSTS_PER_MEMBER, POSTS_PER_NEW_MEMBER

if TYPE_CHECKING:
    from forum.services import Forum


class PermissionDenied(Exception):
    """The member may not do this; the message says why, in words for people."""


class NotFound(Exception):
    pass


def require_writer(member: Member | None) -> Member:
    if member is None:
        raise PermissionDenied("Log in to post.")
    if not member.can_write:
        raise PermissionDenied("Your account is suspended: you can read but not post.")
    return member


def require_moderator(member: Member | None) -> Member:
    member = require_writer(member)
    if not member.is_moderator:
        raise PermissionDenied("Only moderators can do that.")
    return member


async def take_posting_allowance(forum: Forum, member: Member) -> None:
    """Posts per member per minute, stricter in a member's first day; moderators are exempt."""
    if member.is_moderator:
        return
    new = member.joined_at is None or utcnow() - member.joined_at < timedelta(seconds=NEW_MEMBER_SECONDS)
    await forum.limits.take(f"post:{member.id}", POSTS_PER_NEW_MEMBER if new else POSTS_PER_MEMBER,
                            "You are posting faster than the forum allows"
                            + (" in a member's first day." if new else "."))
