"""Passwords, sessions, API tokens, CSRF and permissions: who is asking, and may they."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import HTTPConnection

from forum.clock import as_utc

SESSION_COOKIE = "forum_session"
CSRF_COOKIE = "forum_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600
ROLES = ("member", "moderator", "admin")


class Passwords:
    """Hashes and checks passwords with the argon2 hasher the settings carry: argon2's own
    defaults unless whoever builds the app passes another (the tests pass a cheap one)."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher

    @cached_property
    def _dummy_hash(self) -> str:
        # A real hash to verify against when the username does not exist, so a log-in attempt
        # takes as long for an unknown name as for a wrong password (no probing by timing).
        return self._hasher.hash("not a real password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            matches = self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError, UnicodeEncodeError):  # the last: not UTF-8
            return False
        return matches and password_hash is not None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Member:
    id: int
    username: str
    display_name: str
    role: str
    suspended: bool = False
    joined_at: datetime | None = None
    dismissed_banner_id: int | None = None

    @property
    def is_moderator(self) -> bool:
        return self.role in ("moderator", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_write(self) -> bool:
        return not self.suspended

    def owns_or_moderates(self, owner_id: int) -> bool:
        """Whether this member wrote (started, added) what `owner_id` owns, or is a moderator:
        who may change a post, a thread's tags, a library item."""
        return self.id == owner_id or self.is_moderator

    @classmethod
    def from_row(cls, row: Any) -> Member:
        return cls(id=row["id"], username=row["username"], display_name=row["display_name"],
                   role=row["role"], suspended=row["suspended_at"] is not None,
                   joined_at=as_utc(row["created_at"]),
                   dismissed_banner_id=row["dismissed_banner_id"])


def can_edit_post(member: Member | None, post: Any) -> bool:
    return bool(member and member.can_write and not post["deleted_at"]
                and member.owns_or_moderates(post["author_id"]))


class Signer:
    """Signs the session cookie and derives CSRF tokens from one secret key."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt="forum-session")
        self._csrf_key = hashlib.sha256(b"forum-csrf:" + secret_key.encode()).digest()

    def sign_session(self, token: str) -> str:
        return self._serializer.dumps(token)

    def unsign_session(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            value = self._serializer.loads(cookie)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def csrf_token(self, csrf_cookie: str) -> str:
        return hmac.new(self._csrf_key, csrf_cookie.encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, csrf_cookie: str | None, submitted: str | None) -> bool:
        if not csrf_cookie or not submitted:
            return False
        return hmac.compare_digest(self.csrf_token(csrf_cookie), submitted)


def csrf_cookie_of(conn: HTTPConnection) -> str:
    """The browser's CSRF cookie value; the middleware makes one for a first visit."""
    return conn.scope.get("forum.csrf_cookie") or conn.cookies.get(CSRF_COOKIE, "")


def bearer_token(conn: HTTPConnection) -> str | None:
    scheme, _, token = conn.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
