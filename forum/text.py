"""Markdown to sanitized HTML, once, at write time. The HTML is stored beside the source."""

from __future__ import annotations

import re
import unicodedata

import nh3
from markdown_it import MarkdownIt

# Raw HTML off: tags people type show as text. Images off: the page's CSP allows images from
# the forum only, and hotlinked pictures would leak readers' addresses to other hosts.
_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["linkify", "strikethrough", "table"])
    .disable(["image"])
)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "a", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sanitize(html: str) -> str:
    """The last word on what markup reaches a page, whatever produced it."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    return sanitize(_markdown.render(normalise_newlines(source)))


_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_DASH = re.compile(r"[-\s_]+")


def slugify(title: str, max_length: int = 60) -> str:
    """'Théâtre & £5 budgets' -> 'theatre-5-budgets'. Only for readable URLs; ids do the work."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _SLUG_DASH.sub("-", _SLUG_DROP.sub("", ascii_title).strip().lower()).strip("-")
    return slug[:max_length].rstrip("-") or "thread"
