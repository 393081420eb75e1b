"""Sign up, log in, and change a password."""

from __future__ import annotations

import asyncio
from typing import Any

from forum.actions import email_address
from forum.auth import ROLES, Member
from forum.clock import utcnow
from forum.db import live_log, sessions, users
from forum.mail.addresses import check_email
from forum.ratelimit import RateLimited
from forum.ratelimit.limits import (
    FAILED_LOGINS_PER_ACCOUNT,
    FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS,
    FAILED_LOGINS_PER_ADDRESS,
    SIGNUPS_PER_ADDRESS,
    SLOW_LOGIN_SECONDS,
)
from forum.realtime.envelopes import MEMBERS_CHANNEL
from forum.services import Forum
from forum.validation import (
    FieldErrors,
    ValidationError,
    check_display_name,
    check_password,
    check_username,
    storable,
)


async def sign_up(forum: Forum, username: Any, password: Any, display_name: Any = None,
                  role: str = "member", email: Any = None, email_required: bool = False, *,
                  allow_reserved: bool = False) -> Member:
    """`email` is optional through the API and the command line; the sign-up page asks for it.
    allow_reserved: the command line may make "admin"; the site and the API may not."""
    errors = FieldErrors()
    name = errors.check("username", lambda v: check_username(v, allow_reserved=allow_reserved), username)
    errors.check("password", check_password, password)
    shown = errors.check("display_name", check_display_name, display_name, name or "")
    address = (errors.check("email", check_email, email)
               if email_required or email not in (None, "") else None)
    errors.raise_if_any()
    assert name is not None and shown is not None
    if role not in ROLES:
        raise ValidationError({"role": f"Role must be one of {', '.join(ROLES)}."})
    if await users.by_username(forum.db, name):
        raise ValidationError({"username": "That username is taken; try another."})
    if address:
        await email_address.address_free_for(forum, address, None)
    password_hash = forum.passwords.hash(password)
    try:
        async with forum.db.transaction():
            user_id = await users.insert(forum.db, username=name, display_name=shown,
                                         password_hash=password_hash, role=role)
            if address:
                await email_address.attach(forum, user_id=user_id, username=name, display_name=shown,
                                           email=address)
            # Members' open Welcome pages say "Name just joined"; visitors are not told.
            await live_log.append(forum.db, MEMBERS_CHANNEL, "member.joined",
                                   {"username": name, "display_name": shown},
                                   subject=f"user:{user_id}", author_id=user_id)
    except Exception as error:  # the unique index settles a race between two sign-ups
        if await users.by_username(forum.db, name):
            raise ValidationError({"username": "That username is taken; try another."}) from error
        if address:
            await email_address.address_free_for(forum, address, None)
        raise
    return Member(id=user_id, username=name, display_name=shown, role=role, joined_at=utcnow())


async def authenticate(forum: Forum, username: Any, password: Any) -> Member | None:
    """The member for these credentials, or None. Same cost whether or not the name exists."""
    known = isinstance(username, str) and storable(username)  # a NUL would be a database error
    row = await users.by_username(forum.db, username) if known else None
    password_hash = row["password_hash"] if row else None
    if not isinstance(password, str) or not forum.passwords.verify(password_hash, password):
        return None
    return Member.from_row(row)


async def set_role(forum: Forum, username: str, role: str) -> Member:
    if role not in ROLES:
        raise ValidationError({"role": f"Role must be one of {', '.join(ROLES)}."})
    row = await users.by_username(forum.db, username)
    if row is None:
        raise ValidationError({"username": f"No member is called {username}."})
    await users.set_role(forum.db, row["id"], role)
    return Member.from_row({**dict(row._mapping), "role": role})


def client_address(conn: Any) -> str:
    return conn.client.host if conn.client else "unknown"


async def sign_up_from(forum: Forum, address: str, username: Any, password: Any,
                       display_name: Any = None, email: Any = None, email_required: bool = False) -> Member:
    """Sign-up through the site or the API: a few per network address per hour."""
    await forum.limits.check(f"signup:{address}", SIGNUPS_PER_ADDRESS,
                             "Too many new accounts from your network.")
    member = await sign_up(forum, username, password, display_name, email=email,
                           email_required=email_required)
    await forum.limits.hit(f"signup:{address}")
    return member


async def log_in(forum: Forum, address: str, username: Any, password: Any) -> Member | None:
    """Failed log-ins refuse per account from one address and per address, against password
    guessing; past a looser per-account ceiling every attempt waits, and the owner is told."""
    name = str(username).lower()[:40]
    # The address first: it never holds "|", so no typed name makes two pairs' keys meet.
    pair = f"login-pair:{address}|{name}"
    await forum.limits.check(pair, FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS,
                             "Too many failed log-ins for this account from your network.")
    await forum.limits.check(f"login-from:{address}", FAILED_LOGINS_PER_ADDRESS,
                             "Too many failed log-ins from your network.")
    if not await forum.limits.within(f"login:{name}", FAILED_LOGINS_PER_ACCOUNT):
        await asyncio.sleep(SLOW_LOGIN_SECONDS)  # guessing from many addresses slows to a crawl
    member = await authenticate(forum, username, password)
    if member is None:
        await forum.limits.hit(pair)
        await forum.limits.hit(f"login-from:{address}")
        await _count_failure(forum, name)
    return member


async def _count_failure(forum: Forum, name: str) -> None:
    """Count a wrong password against the account; at the ceiling tell its owner, once a window."""
    account = f"login:{name}"
    await forum.limits.hit(account)
    if await forum.limits.within(account, FAILED_LOGINS_PER_ACCOUNT):
        return
    row = await users.by_username(forum.db, name)
    if row is None:
        return
    attempts, window = FAILED_LOGINS_PER_ACCOUNT
    try:
        await forum.limits.take(f"login-told:{row['id']}", (1, window), "")
    except RateLimited:
        return  # told already in this window
    from forum.actions import notify

    async with forum.db.transaction():
        await notify.notify(forum, user_id=row["id"], kind="failed_logins", actor_id=None, note=(
            f"Someone tried to sign in to your account {attempts} times in the last hour with a "
            "wrong password. If it was not you, choose a long password nobody could guess."))


async def update_profile(forum: Forum, member: Member | None, fields: dict[str, Any]) -> None:
    """A member edits their own profile; every field is checked and explained."""
    from forum.actions import require_writer
    from forum.actions.live import restate_member
    from forum.validation import check_bio, check_profile_line

    member = require_writer(member)
    errors = FieldErrors()
    checks = {
        "display_name": lambda v: check_display_name(v, member.username),
        "bio": check_bio,
        "organisation": lambda v: check_profile_line(v, "organisation"),
        "location": lambda v: check_profile_line(v, "location"),
        "greeter": lambda v: v in (True, "on", "1", "true"),
    }
    # Only the fields given change: a PATCH of one field leaves the others alone.
    clean = {name: errors.check(name, check, fields[name]) for name, check in checks.items()
             if name in fields}
    errors.raise_if_any()
    if clean:
        async with forum.db.transaction():
            await users.update_profile(forum.db, member.id, **clean)
            if "display_name" in clean:
                await restate_member(forum, member.id)



async def reset_password(forum: Forum, username: str, new: Any) -> Member:
    """An administrator at the command line sets a member's password (a forgotten one, or after
    an import without hashes). Every session and API token of theirs ends with the old one."""
    password = check_password(new)
    row = await users.by_username(forum.db, username)
    if row is None:
        raise ValidationError({"username": f"No member is called {username}."})
    async with forum.db.transaction():
        await users.set_password_hash(forum.db, row["id"], forum.passwords.hash(password))
        await sessions.end_other_sessions(forum.db, row["id"], None)
        await sessions.revoke_api_tokens(forum.db, row["id"])
    return Member.from_row(row)


async def wrong_own_password(forum: Forum, member: Member, password: Any) -> str | None:
    """None when password is the member's own, else what to say beside the field. Wrong guesses
    are limited per member and count with failed log-ins, so a borrowed session cannot guess the
    password freely."""
    checks = f"password-check:{member.id}"
    await forum.limits.check(checks, FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS,
                             "Too many wrong passwords for this account.")
    row = await users.by_id(forum.db, member.id)
    if isinstance(password, str) and forum.passwords.verify(row["password_hash"], password):
        return None
    await forum.limits.hit(checks)
    await _count_failure(forum, member.username.lower()[:40])
    return "That is not your current password."


async def change_password(forum: Forum, member: Member, current: Any, new: Any, confirm: Any, *,
                          keep_session: str | None, keep_tokens: bool = False) -> dict[str, int]:
    """A member sets a new password. Every other session ends (whoever else holds one must log
    in again with the new password); the session keep_session opened stays signed in. API tokens
    are revoked too unless keep_tokens: one made with a leaked password must not outlive it."""
    errors = FieldErrors()
    if problem := await wrong_own_password(forum, member, current):
        errors.fields["current_password"] = problem
    errors.check("new_password", check_password, new)
    if "new_password" not in errors.fields and new == current:
        errors.fields["new_password"] = "Choose a password different from your current one."
    if "new_password" not in errors.fields and new != confirm:
        errors.fields["confirm_password"] = "The two new passwords do not match."
    errors.raise_if_any()
    password_hash = forum.passwords.hash(new)
    async with forum.db.transaction():
        await users.set_password_hash(forum.db, member.id, password_hash)
        ended = await sessions.end_other_sessions(forum.db, member.id, keep_session)
        revoked = 0 if keep_tokens else await sessions.revoke_api_tokens(forum.db, member.id)
    return {"sessions_ended": ended, "tokens_revoked": revoked}


async def create_api_token(forum: Forum, member: Member, password: Any) -> str:
    """A signed-in member makes a token; the password again, as POST /api/v1/tokens asks it."""
    if problem := await wrong_own_password(forum, member, password):
        raise ValidationError({"password": problem})
    return await sessions.create_api_token(forum.db, member.id)
