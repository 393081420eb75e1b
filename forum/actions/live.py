"""Fragments for live events, rendered from the same partials as the pages, so a reply
inserted live looks exactly like one loaded with the page. Rendered viewer-neutral: the
script reveals the controls that belong to the reader."""

from __future__ import annotations

from typing import Any

from forum.services import Forum


def channel_row_html(forum: Forum, thread: Any, channel_names: list[str]) -> str:
    return forum.templates.render_fragment(
        "channels/_thread_row.html", thread=thread, channel_names=channel_names)


def post_html(forum: Forum, post: Any, thread: Any) -> str:
    return forum.templates.render_fragment(
        "threads/_post.html", post=post, thread=thread, viewer=None, live=True)
