"""Checks on what people type. Each returns the cleaned value or raises ValidationError naming
the field, so forms can show the message beside it and the API can say which field and why."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from forum.characters import (
    DIRECTION_MESSAGE,
    NAME_INVISIBLE,
    has_direction_change,
    has_invisible,
    text_problem,
)
from forum.reserved_names import claims_a_role, is_reserved

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,30}$")
TITLE_MAX = 200
BODY_MAX = 50_000
PASSWORD_MIN = 8
PASSWORD_MAX = 1_000  # argon2 would hash more, but nobody types this much on purpose
DISPLAY_NAME_MAX = 60
BIO_MAX = 2_000

T = TypeVar("T")


class ValidationError(Exception):
    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = dict(fields)


class FieldErrors:
    """Collects every field's problem so a form shows them all at once, not one per try."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def check(self, field: str, fn: Callable[..., T], *args: Any) -> T | None:
        try:
            return fn(*args)
        except ValidationError as error:
            self.fields[field] = next(iter(error.fields.values()))
            return None

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationError(self.fields)


def _text(value: object, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: "must be text"})
    if problem := text_problem(value):
        raise ValidationError({field: problem})
    return value


def plain_text(value: object, field: str) -> str:
    """Text with no control characters and nothing undecodable: the rule for every field."""
    return _text(value, field)


def lines_of(value: object, field: str) -> str:
    """Multi-line text with Unix line endings, whatever the browser or client sent."""
    return _text(value, field).replace("\r\n", "\n").replace("\r", "\n")


RESERVED_MESSAGE = "That name is kept for the forum's own use. Choose another."


def check_username(value: object, *, allow_reserved: bool = False) -> str:
    name = _text(value, "username").strip()
    if not name:
        raise ValidationError({"username": "Choose a username."})
    if not USERNAME_PATTERN.fullmatch(name):
        raise ValidationError({"username": "Use 3 to 30 letters, digits, '-' or '_' (no spaces)."})
    if not any(ch.isalnum() for ch in name):
        raise ValidationError({"username": "Use at least one letter or digit."})
    if is_reserved(name) and not allow_reserved:
        raise ValidationError({"username": RESERVED_MESSAGE})
    return name


def check_password(value: object) -> str:
    password = _text(value, "password")
    if len(password) < PASSWORD_MIN:
        raise ValidationError({"password": f"Use at least {PASSWORD_MIN} characters."})
    if len(password) > PASSWORD_MAX:
        raise ValidationError({"password": f"Use at most {PASSWORD_MAX} characters."})
    return password


def check_display_name(value: object, fallback: str) -> str:
    name = " ".join(_text(value, "display_name").split())
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationError({"display_name": f"Use at most {DISPLAY_NAME_MAX} characters."})
    if has_invisible(name):
        raise ValidationError({"display_name": NAME_INVISIBLE})
    if name and name.casefold() != fallback.casefold() and claims_a_role(name):
        # the fallback is the username, already checked (or made reserved on purpose)
        raise ValidationError({"display_name": "Names cannot claim a role such as admin or moderator."})
    return name or fallback


def check_title(value: object) -> str:
    title = " ".join(_text(value, "title").split())
    if not title:
        raise ValidationError({"title": "Give the thread a title."})
    if has_direction_change(title):
        raise ValidationError({"title": DIRECTION_MESSAGE})
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": f"Keep the title to {TITLE_MAX} characters (it has {len(title)})."})
    return title


def check_body(value: object) -> str:
    body = lines_of(value, "body").strip()
    if not body:
        raise ValidationError({"body": "Write a message."})
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": f"Keep the message to {BODY_MAX:,} characters (it has {len(body):,})."})
    return body


def check_bio(value: object) -> str:
    bio = lines_of(value, "bio").strip()
    if len(bio) > BIO_MAX:
        raise ValidationError({"bio": f"Keep the bio to {BIO_MAX:,} characters."})
    return bio


PROFILE_LINE_MAX = 120


def check_profile_line(value: object, field: str) -> str:
    """Organisation or location: one line, optional."""
    line = " ".join(_text(value, field).split())
    if len(line) > PROFILE_LINE_MAX:
        raise ValidationError({field: f"Keep it to {PROFILE_LINE_MAX} characters."})
    return line


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> bool:
    """No NUL (PostgreSQL text cannot hold one) and no lone surrogate ("\\ud800" in JSON is
    not UTF-8 at all), however deep in lists and objects (walked without recursion: JSON may
    nest nearly as deep as Python can)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                return False
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return True
