"""Every name the forum gives a thing in Redis (pub/sub topics, rate-limit keys) begins with the
forum's id (forum/db/forum_id.py), so forums sharing one Redis neither hear nor count each other."""

from __future__ import annotations


def redis_name(forum_id: str, name: str) -> str:
    return f"forum:{forum_id}:{name}"
