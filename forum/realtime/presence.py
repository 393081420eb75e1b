"""Who is here: signed-in members with a live connection on a channel, in this process.
Changes go out as ephemeral `presence` frames through the hub."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from forum.auth import Member


class Presence:
    def __init__(self) -> None:
        # channel -> username -> open connections (a member may have several tabs open)
        self._here: dict[str, Counter[str]] = defaultdict(Counter)
        self._names: dict[str, str] = {}

    def join(self, channel: str, member: Member) -> bool:
        """Count a connection in; True when the member was not here before (a change)."""
        self._names[member.username] = member.display_name
        self._here[channel][member.username] += 1
        return self._here[channel][member.username] == 1

    def leave(self, channel: str, member: Member) -> bool:
        here = self._here.get(channel)
        if not here or not here[member.username]:
            return False
        here[member.username] -= 1
        if here[member.username]:
            return False
        del here[member.username]
        if not here:
            del self._here[channel]
        return True

    def frame(self, channel: str) -> dict[str, Any]:
        users = sorted(self._here.get(channel, ()), key=str.lower)
        return {"type": "presence", "channel": channel, "users": users,
                "members": [{"username": u, "display_name": self._names.get(u, u)} for u in users]}
