"""Library rows as /library shows them, and the events that keep open /library pages current.

A new item is logged on the "library" channel as `thread.created` (an item is a thread), with
what a page needs to tell whether the item matches its filters (kind, tag keys, channel slugs)
and the row rendered from the page's own partial. A change to how the row reads (its fields,
its description edited, hidden or deleted, its tags, channels or featuring) restates every
earlier event about the item and logs `library.updated`, so neither an open page nor a replay
shows a description that has since been hidden."""

from __future__ import annotations

from typing import Any

from forum.db import library, live_log, tags, threads
from forum.realtime.envelopes import LIBRARY_CHANNEL
from forum.services import Forum
from forum.text import summary
from forum.web.templating import thread_url

KINDS = {"resource": "Resource", "case_study": "Case study"}


def item_subject(item_id: int) -> str:
    return f"library:{item_id}"


async def item_views(forum: Forum, rows: list[Any]) -> list[dict[str, Any]]:
    """Item rows with their tags, address and summary, as the library's templates take them."""
    carried = await tags.of_threads(forum.db, [r["thread_id"] for r in rows])
    return [{**row._mapping, "tags": carried.get(row["thread_id"], []), "url": thread_url(
        {"id": row["thread_id"], "slug": row["slug"]}), "summary": summary(row["opening_html"] or "")}
            for row in rows]


async def _event_data(forum: Forum, row: Any) -> dict[str, Any]:
    [item] = await item_views(forum, [row])
    in_channels = await threads.channels_of(forum.db, row["thread_id"])
    # Viewer-neutral: the page's script shows a moderator the Feature button.
    html = forum.templates.render_fragment("library/_item.html", item=item, kinds=KINDS,
                                           viewer=None, live=True)
    return {"item_id": row["id"], "thread_id": row["thread_id"], "title": row["title"],
            "kind": row["kind"], "featured": bool(row["featured"]),
            "tags": [t["key"] for t in item["tags"]], "channels": [c["slug"] for c in in_channels],
            "html": html}


async def announce_new_item(forum: Forum, item_id: int) -> None:
    """Inside the item's transaction, once its row, tags and channels are written."""
    row = await library.by_id(forum.db, item_id)
    await live_log.append(forum.db, LIBRARY_CHANNEL, "thread.created", await _event_data(forum, row),
                           subject=item_subject(item_id))


async def item_changed(forum: Forum, thread_id: int) -> None:
    """Inside the change's transaction: if the thread is a library item, open pages and
    replays show its row as it now stands."""
    row = await library.by_thread(forum.db, thread_id)
    if row is None:
        return
    data = await _event_data(forum, row)
    await live_log.restate(forum.db, item_subject(row["id"]), data)
    await live_log.append(forum.db, LIBRARY_CHANNEL, "library.updated", data,
                           subject=item_subject(row["id"]))
