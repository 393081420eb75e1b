"""What every reader of a thread shares, read once per process until the thread changes: its
row, a page of its posts, its tags, its channels and its library item.

The thread page and `GET /api/v1/threads/{id}` answer members as well as visitors, and a
member's answer cannot come from the page cache; but most of what it shows is the same for
everyone. Kept here under the names of what they show (forum/web/invalidation.py), these reads
are dropped by the same events that drop a visitor's cached page, in this process at commit and
in others when their hub reads the log. Only what is the reader's own (their session, reactions,
read marks, unread counts) is read per request.

Callers that write, or read inside a transaction, use forum/db directly: a kept row may be
up to one change behind a commit in another process until that process's hub reads it.
"""

from __future__ import annotations

from typing import Any

from forum.actions.library_live import item_subject
from forum.actions.live import thread_subject, user_subject
from forum.actions.tags import tag_channel
from forum.db import library, posts, tags, threads
from forum.db.raw import PageRow
from forum.services import Forum


async def thread(forum: Forum, thread_id: int) -> PageRow | None:
    """The thread's row (as forum/db/threads.by_id reads it); None when there is none."""
    return await forum.shared.get(
        forum, ("thread", thread_id), lambda: threads.by_id(forum.db, thread_id),
        showing=(thread_subject(thread_id),),
        also_showing=lambda row: (user_subject(row["author_id"]),) if row is not None else ())


async def page(forum: Forum, thread_id: int, after: str | None, limit: int,
               inclusive: bool = False) -> tuple[list[PageRow], str | None]:
    """One page of the thread's posts and the next page's cursor (forum/db/posts.in_thread)."""
    return await forum.thread_pages.get(
        forum, ("page", thread_id, after, limit, inclusive),
        lambda: posts.in_thread(forum.db, thread_id, after, limit, inclusive=inclusive),
        showing=(thread_subject(thread_id),), also_showing=_names_on_page)


def _names_on_page(found: tuple[list[PageRow], str | None]) -> set[str]:
    """Each post shows its author's name, and "in reply to" its parent's author's."""
    rows = found[0]
    return ({user_subject(row["author_id"]) for row in rows}
            | {user_subject(row["parent_author_id"]) for row in rows if row["parent_author_id"] is not None})


async def thread_tags(forum: Forum, thread_id: int) -> list[PageRow]:
    return await forum.shared.get(
        forum, ("thread tags", thread_id), lambda: tags.of_thread(forum.db, thread_id),
        showing=(thread_subject(thread_id),),
        also_showing=lambda found: [tag_channel(tag["key"]) for tag in found])


async def channels(forum: Forum, thread_id: int) -> list[Any]:
    return await forum.shared.get(forum, ("thread channels", thread_id),
                                  lambda: threads.channels_of(forum.db, thread_id),
                                  showing=(thread_subject(thread_id),))


async def library_item(forum: Forum, thread_id: int) -> Any:
    return await forum.shared.get(
        forum, ("thread library item", thread_id), lambda: library.by_thread(forum.db, thread_id),
        showing=(thread_subject(thread_id),),
        also_showing=lambda item: (item_subject(item["id"]),) if item is not None else ())
