"""Sign up and log in."""

from __future__ import annotations

from typing import Any

from forum.auth import ROLES, Member, hash_password, verify_password
from forum.db import users
from forum.services import Forum
from forum.validation import (
    FieldErrors,
    ValidationError,
    check_display_name,
    check_password,
    check_username,
)


async def sign_up(forum: Forum, username: Any, password: Any, display_name: Any = None,
                  role: str = "member") -> Member:
    errors = FieldErrors()
    name = errors.check("username", check_username, username)
    errors.check("password", check_password, password)
    shown = errors.check("display_name", check_display_name, display_name, name or "")
    errors.raise_if_any()
    assert name is not None and shown is not None
    if role not in ROLES:
        raise ValidationError({"role": f"Role must be one of {', '.join(ROLES)}."})
    if await users.by_username(forum.db, name):
        raise ValidationError({"username": "That username is taken; try another."})
    try:
        user_id = await users.insert(forum.db, username=name, display_name=shown,
                                     password_hash=hash_password(password), role=role)
    except Exception as error:  # the unique index settles a race between two sign-ups
        if await users.by_username(forum.db, name):
            raise ValidationError({"username": "That username is taken; try another."}) from error
        raise
    return Member(id=user_id, username=name, display_name=shown, role=role)


async def authenticate(forum: Forum, username: Any, password: Any) -> Member | None:
    """The member for these credentials, or None. Same cost whether or not the name exists."""
    row = await users.by_username(forum.db, username) if isinstance(username, str) else None
    if not isinstance(password, str) or not verify_password(row["password_hash"] if row else None, password):
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
