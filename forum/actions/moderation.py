"""Hide and restore posts: moderators only, with a public reason, logged, live."""

from __future__ import annotations

from typing import Any

from forum.actions import NotFound, PermissionDenied, notify, require_moderator, require_writer
from forum.actions.live import post_changed
from forum.auth import Member
from forum.db import live_log, moderation, posts, users
from forum.services import Forum
from forum.validation import ValidationError, plain_text

REASON_MAX = 300
# A member's reason for sending a post (a flag) or a private message (a report) to the moderators.
REPORT_REASON_MAX = 500


def one_line_reason(value: Any, missing: str, limit: int) -> str:
    """A reason as typed in a form, on one line; refused when empty or longer than `limit`."""
    reason = " ".join(plain_text(value, "reason").split())
    if not reason:
        raise ValidationError({"reason": missing})
    if len(reason) > limit:
        raise ValidationError({"reason": f"Keep the reason to {limit} characters."})
    return reason


def check_reason(value: Any) -> str:
    """A moderator's public reason for hiding a post."""
    return one_line_reason(value, "Give a reason; members will see it in place of the post.", REASON_MAX)


def check_report_reason(value: Any, missing: str) -> str:
    return one_line_reason(value, missing, REPORT_REASON_MAX)


async def _post(forum: Forum, post_id: int) -> Any:
    post = await posts.by_id(forum.db, post_id)
    if post is None or post["deleted_at"] is not None:
        raise NotFound("No such post.")
    return post


async def hide_post(forum: Forum, member: Member | None, post_id: int, reason: Any) -> None:
    member = require_moderator(member)
    post = await _post(forum, post_id)
    clean_reason = check_reason(reason)
    await _set_hidden(forum, member, post, clean_reason, hidden=True)


async def restore_post(forum: Forum, member: Member | None, post_id: int) -> None:
    member = require_moderator(member)
    post = await _post(forum, post_id)
    if post["hidden_at"] is None:
        return
    await _set_hidden(forum, member, post, "", hidden=False)


async def _set_hidden(forum: Forum, member: Member, post: Any, reason: str, *, hidden: bool) -> None:
    async with forum.db.transaction():
        await moderation.set_hidden(forum.db, post["id"], by=member.id if hidden else None,
                                    reason=reason if hidden else None)
        await moderation.record(forum.db, member.id, "hide_post" if hidden else "restore_post",
                                thread_id=post["thread_id"], post_id=post["id"], reason=reason)
        await notify.notify(forum, user_id=post["author_id"], kind="moderation", actor_id=member.id,
                            thread_id=post["thread_id"], post_id=post["id"],
                            note=f"hid your post ({reason})" if hidden else "restored your post")
        await post_changed(forum, "post.hidden" if hidden else "post.restored", post["id"])


# -- flags -------------------------------------------------------------------------------
async def flag_post(forum: Forum, member: Member | None, post_id: int, reason: Any) -> int:
    """Any member may report a post; it waits in the queue at /mod."""
    member = require_writer(member)
    post = await _post(forum, post_id)
    text = check_report_reason(reason, "Say what is wrong with the post, so moderators can act.")
    async with forum.db.transaction():
        flag_id = await moderation.add_flag(forum.db, post["id"], member.id, text)
        # Every moderator and admin hears of it at once, as a flag otherwise waits unseen.
        for moderator in await users.moderators(forum.db):
            await notify.notify(forum, user_id=moderator["id"], kind="flag", actor_id=member.id,
                                thread_id=post["thread_id"], post_id=post["id"], note=text)
    return flag_id


async def resolve_flag(forum: Forum, member: Member | None, flag_id: int, resolution: Any,
                       note: Any) -> None:
    """Hide the post (the note becomes the public reason) or dismiss the flag, with a note."""
    member = require_moderator(member)
    flag = await moderation.flag_by_id(forum.db, flag_id)
    if flag is None:
        raise NotFound("No such flag.")
    if resolution not in ("hide", "dismiss"):
        raise ValidationError({"resolution": "Choose hide or dismiss."})
    if resolution == "hide":
        clean_note = check_reason(note)
    else:
        clean_note = " ".join(plain_text(note, "note").split())[:REASON_MAX]
    if resolution == "hide":
        post = await posts.by_id(forum.db, flag["post_id"])
        if post["hidden_at"] is None:
            await _set_hidden(forum, member, post, clean_note, hidden=True)
    async with forum.db.transaction():
        await moderation.resolve_flags(forum.db, flag["post_id"], member.id,
                                       "hidden" if resolution == "hide" else "dismissed", clean_note)
        await moderation.record(forum.db, member.id, f"flag_{resolution}", post_id=flag["post_id"],
                                thread_id=(await posts.by_id(forum.db, flag["post_id"]))["thread_id"],
                                reason=clean_note)


# -- the site banner ---------------------------------------------------------------------
BANNER_MAX = 500
SITE_CHANNEL = "site"  # every page listens here, for the banner
BANNER_SUBJECT = "banner"


async def set_banner(forum: Forum, member: Member | None, text: Any) -> None:
    member = require_moderator(member)
    clean = " ".join(plain_text(text, "text").split())
    if not clean:
        raise ValidationError({"text": "Write the announcement to show on every page."})
    if len(clean) > BANNER_MAX:
        raise ValidationError({"text": f"Keep the banner to {BANNER_MAX} characters."})
    async with forum.db.transaction():
        banner_id = await moderation.set_banner(forum.db, clean, member.id)
        await moderation.record(forum.db, member.id, "set_banner", reason=clean)
        html = forum.templates.render_fragment(
            "_banner.html", banner={"id": banner_id, "text": clean}, csrf_token="")
        data = {"banner_id": banner_id, "text": clean, "html": html}
        # Earlier banners are replayed as this one: a replaced banner's words are gone.
        await live_log.restate(forum.db, BANNER_SUBJECT, data, event_type="banner.set")
        await live_log.append(forum.db, SITE_CHANNEL, "banner.set", data, subject=BANNER_SUBJECT)


async def clear_banner(forum: Forum, member: Member | None) -> None:
    member = require_moderator(member)
    async with forum.db.transaction():
        await moderation.clear_banner(forum.db)
        await moderation.record(forum.db, member.id, "clear_banner")
        await live_log.restate(forum.db, BANNER_SUBJECT, {}, event_type="banner.cleared")
        await live_log.append(forum.db, SITE_CHANNEL, "banner.cleared", {}, subject=BANNER_SUBJECT)


# -- members -----------------------------------------------------------------------------
RANK = {"member": 0, "moderator": 1, "admin": 2}


async def _target(forum: Forum, username: Any) -> Any:
    row = await users.by_username(forum.db, username) if isinstance(username, str) else None
    if row is None:
        raise NotFound("No member has that username.")
    return row


async def set_suspended(forum: Forum, member: Member | None, username: Any, suspended: bool) -> None:
    """Suspended members read but cannot write; it takes effect on their open sessions and
    sockets at once, because each request and each typing frame looks the member up afresh."""
    member = require_moderator(member)
    target = await _target(forum, username)
    if RANK[target["role"]] >= RANK[member.role]:
        raise PermissionDenied("You can only suspend members below your own role.")
    async with forum.db.transaction():
        await moderation.set_suspended(forum.db, target["id"], suspended)
        await moderation.record(forum.db, member.id, "suspend" if suspended else "unsuspend",
                                reason=f"@{target['username']}")


async def set_role(forum: Forum, member: Member | None, username: Any, role: Any) -> None:
    member = require_writer(member)
    if not member.is_admin:
        raise PermissionDenied("Only admins can change roles.")
    if role not in RANK:
        raise ValidationError({"role": "Role must be member, moderator or admin."})
    target = await _target(forum, username)
    async with forum.db.transaction():
        await users.set_role(forum.db, target["id"], role)
        await moderation.record(forum.db, member.id, "set_role", reason=f"@{target['username']} → {role}")
