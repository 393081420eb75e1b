"""Unsubscribe links: signed with the forum's secret key and naming the member and the kind of
email, so one click stops that kind without signing in. Only the key can make one."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

# Kind of email -> what the member stops receiving, in words for the confirmation page.
KINDS = {
    "notifications": ("email about replies, mentions, private messages and moderators' actions "
                      "(immediate or daily)"),
    "events": "email about the events you registered for (seats, changes, reminders)",
}


class UnsubscribeLinks:
    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt="forum-unsubscribe")

    def token(self, user_id: int, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"no such kind of email: {kind}")
        return self._serializer.dumps([user_id, kind])

    def read(self, token: str) -> tuple[int, str] | None:
        """(member id, kind) for a token this forum signed; None for anything else."""
        try:
            data: Any = self._serializer.loads(token)
        except BadSignature:
            return None
        if (isinstance(data, list) and len(data) == 2 and type(data[0]) is int
                and data[1] in KINDS):
            return data[0], data[1]
        return None


def unsubscribe_path(token: str) -> str:
    return f"/unsubscribe/{token}"
