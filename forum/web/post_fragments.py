"""Each post's HTML on a thread page, rendered once and reused.

A thread page is mostly its posts, and rendering fifty of them is most of the page's cost. A
post's HTML depends on the post's row, the thread's address and only a little on the reader:
whether they moderate, wrote the post, may write at all, whether the post is new to them, and
which reactions on it are theirs (the counts are in the row: a reaction makes a new key).
So a rendered post is kept under exactly those: the row's every value (an edit, a hide, a new
display name make a new key, and the old one ages out), the thread's id and slug, and that
short description of the reader. Nothing personal beyond it enters the HTML, with one exception
that is never kept: a moderator's view of a hidden post carries the session's CSRF token.
"""

from __future__ import annotations

from typing import Any

from cachetools import LRUCache
from jinja2 import Environment
from markupsafe import Markup

POST_TEMPLATE = "threads/_post.html"
# Rendered posts kept per process, weighed by their HTML's length: a few variants (visitor,
# member, author, moderator) of the posts on the busiest pages, at about 1-2 KB a post, some
# 4,000 of them. Each key holds its post's row (the HTML again, and the source) besides: count
# roughly three times this for the memory it takes.
MAX_FRAGMENT_CHARS = 8_000_000


class PostFragments:
    def __init__(self, env: Environment, max_chars: int = MAX_FRAGMENT_CHARS) -> None:
        self._env = env
        self._entries: LRUCache[tuple[Any, ...], Markup] = LRUCache(max_chars, getsizeof=len)

    def __len__(self) -> int:
        return len(self._entries)

    def render(self, post: Any, thread: Any, viewer: Any, new_after: int | None, csrf_token: str,
               mine: frozenset[str] | set[str] = frozenset()) -> Markup:
        """`post` and `thread` are PageRows; `viewer` a Member or None; as threads/_post.html
        would render them included in the thread page."""
        is_new = bool(viewer and new_after is not None and post["id"] > new_after
                      and post["author_id"] != viewer.id)
        if viewer is None:
            reader: tuple[bool | str, ...] | None = None
        elif viewer.is_moderator and post["hidden_at"] is not None:
            return self._render(post, thread, viewer, new_after, csrf_token, mine)  # holds the CSRF token
        else:
            reader = (viewer.is_moderator, viewer.can_write, viewer.id == post["author_id"], is_new,
                      *sorted(mine))
        key = (tuple(post.values()), thread["id"], thread["slug"], reader)
        html = self._entries.get(key)
        if html is None:
            html = self._render(post, thread, viewer, new_after, csrf_token, mine)
            if len(html) <= self._entries.maxsize:  # cachetools refuses what outweighs it all
                self._entries[key] = html
        return html

    def _render(self, post: Any, thread: Any, viewer: Any, new_after: int | None, csrf_token: str,
                mine: frozenset[str] | set[str]) -> Markup:
        return Markup(self._env.get_template(POST_TEMPLATE).render(
            post=post, thread=thread, viewer=viewer, new_after=new_after, csrf_token=csrf_token,
            mine=mine))
