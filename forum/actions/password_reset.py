"""Forgot a password: a one-use link, valid an hour, mailed to the account's address. The
answer is the same whether or not the address is known, so nobody learns who is a member."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from forum.clock import utcnow
from forum.db import account_tokens, sessions, users
from forum.mail.addresses import check_email
from forum.ratelimit import RateLimited
from forum.ratelimit.limits import (
    PASSWORD_RESETS_PER_ACCOUNT,
    PASSWORD_RESETS_PER_ADDRESS,
    PASSWORD_RESETS_PER_EMAIL,
)
from forum.services import Forum
from forum.validation import ValidationError, check_password

RESET_LINK_LIFETIME = timedelta(hours=1)
LINK_NOT_VALID = "This link has been used or has expired; ask for a new one."


def reset_path(token: str) -> str:
    return f"/password-reset/{token}"


async def request_reset(forum: Forum, client_address: str, value: Any) -> None:
    """Mail a reset link if the address belongs to a member. Refusals that can tell nothing
    about membership (a malformed address, too many tries from one network or for one address)
    are said; the per-account limit is silent, as saying it would tell the account exists."""
    email = check_email(value)
    await forum.limits.take(f"reset-from:{client_address}", PASSWORD_RESETS_PER_ADDRESS,
                            "Too many reset requests from your network; try again later.")
    await forum.limits.take(f"reset-email:{email}", PASSWORD_RESETS_PER_EMAIL,
                            "Too many reset requests for this address; try again later.")
    row = await users.by_email(forum.db, email)
    if row is None:
        return
    try:
        await forum.limits.take(f"reset-account:{row['id']}", PASSWORD_RESETS_PER_ACCOUNT, "")
    except RateLimited:
        return
    async with forum.db.transaction():
        token = await account_tokens.create(
            forum.db, user_id=row["id"], purpose=account_tokens.PASSWORD_RESET, email=email,
            now=utcnow(), lifetime=RESET_LINK_LIFETIME)
        await forum.mailer.queue(
            kind="password_reset", user_id=row["id"], to_name=row["display_name"], to_email=email,
            subject=f"Reset your password on {forum.mailer.forum_name}", template="password_reset",
            context={"name": row["display_name"], "username": row["username"],
                     "link": forum.mailer.link(reset_path(token))})


async def link_is_live(forum: Forum, token: str) -> bool:
    return await account_tokens.peek(forum.db, token, account_tokens.PASSWORD_RESET, utcnow()) is not None


async def complete_reset(forum: Forum, token: str, password: Any) -> dict[str, int]:
    """Set the new password; the link is spent, and every session and API token of the member
    ends. Following the link also proves the address, so it counts as confirmed."""
    new = check_password(password)
    if not await link_is_live(forum, token):  # before the slow hash, for a dead link
        raise ValidationError({"token": LINK_NOT_VALID})
    password_hash = forum.passwords.hash(new)
    now = utcnow()
    async with forum.db.transaction():
        used = await account_tokens.use(forum.db, token, account_tokens.PASSWORD_RESET, now)
        if used is None:
            raise ValidationError({"token": LINK_NOT_VALID})
        await users.set_password_hash(forum.db, used["user_id"], password_hash)
        ended = await sessions.end_other_sessions(forum.db, used["user_id"], None)
        revoked = await sessions.revoke_api_tokens(forum.db, used["user_id"])
        await users.confirm_email(forum.db, used["user_id"], used["email"], now)
    return {"sessions_ended": ended, "tokens_revoked": revoked}
