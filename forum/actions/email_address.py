"""A member's email address: given at sign-up or changed on /settings, confirmed by a mailed
link before anything else is sent to it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from forum.auth import Member
from forum.clock import utcnow
from forum.db import account_tokens, users
from forum.mail.addresses import check_email
from forum.ratelimit.limits import EMAIL_CHANGES_PER_ACCOUNT
from forum.services import Forum
from forum.validation import ValidationError

CONFIRM_LINK_HOURS = 48
EMAIL_TAKEN = "Another account uses that address; log in to that one, or reset its password."


def confirm_path(token: str) -> str:
    return f"/settings/email/confirm/{token}"


async def address_free_for(forum: Forum, email: str, user_id: int | None) -> None:
    """One address, one account: raise if another member holds it."""
    holder = await users.by_email(forum.db, email)
    if holder is not None and holder["id"] != user_id:
        raise ValidationError({"email": EMAIL_TAKEN})


async def attach(forum: Forum, *, user_id: int, username: str, display_name: str, email: str) -> None:
    """Record the (unconfirmed) address and queue its confirmation link. Inside the causing
    change's transaction; the caller wakes the mailer after commit."""
    now = utcnow()
    await users.set_email(forum.db, user_id, email)
    token = await account_tokens.create(forum.db, user_id=user_id, purpose=account_tokens.CONFIRM_EMAIL,
                                        email=email, now=now, lifetime=timedelta(hours=CONFIRM_LINK_HOURS))
    await forum.mailer.queue(
        kind="confirm_email", user_id=user_id, to_name=display_name, to_email=email,
        subject=f"Confirm your email address for {forum.mailer.forum_name}", template="confirm_email",
        context={"name": display_name, "email": email, "link": forum.mailer.link(confirm_path(token)),
                 "valid_hours": CONFIRM_LINK_HOURS})


async def change_email(forum: Forum, member: Member, value: Any) -> str:
    """A member sets a new address (or asks again for the link to an unconfirmed one)."""
    email = check_email(value)
    row = await users.by_id(forum.db, member.id)
    if row["email"] == email and row["email_confirmed_at"] is not None:
        return email  # nothing changes, nothing is sent
    await forum.limits.take(f"email-change:{member.id}", EMAIL_CHANGES_PER_ACCOUNT,
                            "Too many address changes for this account; try again later.")
    await address_free_for(forum, email, member.id)
    try:
        async with forum.db.transaction():
            await attach(forum, user_id=member.id, username=member.username,
                         display_name=member.display_name, email=email)
    except Exception as error:  # the unique index settles a race between two members
        await address_free_for(forum, email, member.id)
        raise error
    return email


async def confirm(forum: Forum, token: str) -> Any:
    """Follow a confirmation link: the member's row, or None if the link is unknown, used,
    expired or for an address they have since changed."""
    now = utcnow()
    async with forum.db.transaction():
        used = await account_tokens.use(forum.db, token, account_tokens.CONFIRM_EMAIL, now)
        if used is None or not await users.confirm_email(forum.db, used["user_id"], used["email"], now):
            return None
    return await users.by_id(forum.db, used["user_id"])
