"""The frames the server sends over /ws, serialised once per event (not once per reader)."""

from __future__ import annotations

import json
from typing import Any

from forum.db.live_log import decode_data

EVENT_TYPES = (
    "thread.created", "post.created", "post.edited", "post.deleted", "thread.pinned",
    "thread.unpinned", "thread.locked", "thread.unlocked", "thread.moved",
    # Beyond design.md's list: a moderator hid or restored a post (the fragment says which).
    "post.hidden", "post.restored",
    # On the "site" channel every page subscribes to: the site-wide banner.
    "banner.set", "banner.cleared",
    # On "members" (MEMBERS_CHANNEL): a newcomer signed up.
    "member.joined",
    # On thread:{id} of an event's thread: seats left, registered and reserve counts.
    "event.updated",
    # On user:{id}, which only that member may subscribe to.
    "notification.created",
    # What pages show changed; pages reload it rather than patch it in, and cached copies go
    # (forum/web/invalidation.py): on user:{id}, their new display name; on thread:{id}, its
    # library item's details or its tags; on tag:{key}, the tag's new name or the tag it
    # was merged into.
    "member.renamed", "library.updated", "thread.tagged", "tag.renamed", "tag.merged",
    # "library.updated" goes on "library" (LIBRARY_CHANNEL) as well, beside thread.created for a
    # new item: an item's row changed (its fields, description, tags, channels or featuring).
)

# On conversation:{id}: a member left; each hub takes that member's connections off the channel.
LEFT_EVENT = "conversation.left"

# Signed-in connections only: who joins is shown to members, never to anonymous visitors.
MEMBERS_CHANNEL = "members"

# Open /library pages: new library items (public threads, so visitors may listen too).
LIBRARY_CHANNEL = "library"


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def event_frame(row: Any) -> str:
    return dumps({"type": "event", "id": row["id"], "channel": row["channel"],
                  "event": row["type"], "data": decode_data(row)})


def error_frame(code: str, message: str) -> str:
    return dumps({"type": "error", "code": code, "message": message})
