"""The Jinja environment: autoescaped templates, filters, and URL helpers shared by pages and
the live fragments (which are rendered outside any request)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from forum.auth import can_edit_post
from forum.clock import as_utc, html_datetime
from forum.db.events import seats_left
from forum.db.posts import MAX_DEPTH
from forum.db.raw import PageRow
from forum.moderation_words import log_words
from forum.reactions import REACTIONS
from forum.reactions import summary as reaction_summary
from forum.tag_names import tag_path
from forum.web.post_fragments import PostFragments
from forum.web.static_files import static_url

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES_DIR = ROOT / "templates"


def thread_url(thread: Any) -> str:
    thread_id = thread["id"] if not isinstance(thread, int) else thread
    slug = thread["slug"] if not isinstance(thread, int) else ""
    return f"/t/{thread_id}/{slug}" if slug else f"/t/{thread_id}"


def user_url(username: str) -> str:
    return f"/u/{username}"


def channel_url(slug: str) -> str:
    return f"/c/{slug}"


def initials(name: str) -> str:
    """'Mòrag MacLean' -> 'MM': the avatar, drawn from letters rather than an upload."""
    letters = [word[0] for word in name.split() if word[:1].isalnum()]
    return "".join(letters[:1] + letters[-1:] if len(letters) > 1 else letters[:1]).upper() or "?"


NEW_MEMBER_DAYS = 7


def is_new_member(joined_at: datetime | str | None, posted_at: datetime | str | None) -> bool:
    """A member's posts from their first week carry a "New member" badge, so people greet them."""
    joined, posted = as_utc(joined_at), as_utc(posted_at)
    return bool(joined and posted and posted - joined < timedelta(days=NEW_MEMBER_DAYS))


def exact_time(value: datetime | None) -> str:
    value = as_utc(value)
    return value.strftime("%-d %b %Y, %H:%M UTC") if value else ""


def time_tag(value: datetime | None) -> Markup:
    """<time> with the exact UTC time; the script turns it into '5 minutes ago' and keeps it
    current, keeping the exact time on hover."""
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        html_datetime(value), exact_time(value), exact_time(value))


def event_time(value: datetime | None) -> Markup:
    """An event's date stays absolute: the script shows it in the reader's own time zone."""
    return Markup('<time datetime="{}" data-absolute>{}</time>').format(
        html_datetime(value), exact_time(value))


def page_rows(rows: list[Any]) -> list[PageRow]:
    """Rows read once into PageRows (forum/db/raw.py's reads are PageRows already). A `databases`
    Record's `values()` are already converted on SQLite; taking them by position skips its
    per-key lookups (a fifth of a thread page)."""
    if not rows or isinstance(rows[0], PageRow):
        return rows
    fields = tuple(rows[0].keys())
    return [PageRow(zip(fields, row.values(), strict=True)) for row in rows]


class Templates:
    def __init__(self) -> None:
        self.responses = Jinja2Templates(directory=str(TEMPLATES_DIR))
        env = self.responses.env
        env.autoescape = True
        env.trim_blocks = True
        env.lstrip_blocks = True
        # Templates ship with the code: no stat() of every template file on every render (a
        # thread page includes the post template once per post).
        env.auto_reload = False
        env.globals.update(thread_url=thread_url, user_url=user_url, channel_url=channel_url,
                           tag_url=tag_path, initials=initials, is_new_member=is_new_member,
                           can_edit_post=can_edit_post, max_depth=MAX_DEPTH, seats_left=seats_left,
                           static_url=static_url, reaction_kinds=REACTIONS,
                           reaction_summary=reaction_summary, mine=frozenset())
        env.filters.update(time_tag=time_tag, exact_time=exact_time, event_time=event_time,
                           html_datetime=html_datetime, log_words=log_words)
        self.env = env
        self.post_fragments = PostFragments(env)

        @pass_context
        def post_fragment(context: Context, post: PageRow) -> Markup:
            """A post on the thread page, rendered once per post and kind of reader."""
            return self.post_fragments.render(post, context["thread"], context.get("viewer"),
                                              context.get("new_after"), context.get("csrf_token", ""),
                                              context.get("my_reactions", {}).get(post["id"], frozenset()))

        env.globals["post_fragment"] = post_fragment

    def render_fragment(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)
