"""Passwords, sessions, API tokens, CSRF and permissions: who is asking, and may they."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher, profiles
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

# The test suite hashes thousands of passwords; at argon2's real cost (a quarter of a CPU second
# each here) that alone would take minutes, so the tests ask for argon2's cheapest profile.
# Never set it anywhere else: the forum says so loudly at start when it is set.
FAST_HASHING_FOR_TESTS = os.environ.get("FORUM_TEST_FAST_PASSWORD_HASHING") == "1"
_hasher = PasswordHasher.from_parameters(profiles.CHEAPEST) if FAST_HASHING_FOR_TESTS else PasswordHasher()
if FAST_HASHING_FOR_TESTS:
    logging.getLogger("forum.auth").warning(
        "FORUM_TEST_FAST_PASSWORD_HASHING=1: passwords are hashed too cheaply for real use")
# A real hash to verify against when the username does not exist, so a log-in attempt takes
# as long for an unknown name as for a wrong password (no username probing by timing).
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError, UnicodeEncodeError):  # the last: bytes not UTF-8
        return False


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

    @classmethod
    def from_row(cls, row: Any) -> Member:
        return cls(id=row["id"], username=row["username"], display_name=row["display_name"],
                   role=row["role"], suspended=row["suspended_at"] is not None,
                   joined_at=as_utc(row["created_at"]),
                   dismissed_banner_id=row["dismissed_banner_id"])


def can_edit_post(member: Member | None, post: Any) -> bool:
    return bool(member and member.can_write and not post["deleted_at"]
                and (member.id == post["author_id"] or member.is_moderator))


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
