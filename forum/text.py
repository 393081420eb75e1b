"""Markdown to sanitized HTML, once, at write time. The HTML is stored beside the source."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from html import unescape
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from forum import tag_names, uploads_markdown, video_cards

# Raw HTML off: tags people type show as text. Images only of this forum's own uploads
# (forum/uploads_markdown.py): hotlinked pictures would leak readers' addresses to other hosts.
_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["linkify", "strikethrough", "table"])
)
uploads_markdown.install(_markdown)
video_cards.install(_markdown)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "a", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
    "img", "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "target"}, "ol": {"start"}, "th": {"align"}, "td": {"align"},
                      "img": {"src", "alt", "width", "height", "loading"}}
# Only the classes the renderer itself sets (nothing people type can set one).
ALLOWED_CLASSES = {tag: uploads_markdown.CLASSES.get(tag, set()) | video_cards.CLASSES.get(tag, set())
                   for tag in uploads_markdown.CLASSES.keys() | video_cards.CLASSES.keys()}


def _allowed_attribute(tag: str, attribute: str, value: str) -> str | None:
    value_or_none = uploads_markdown.allowed_attribute(tag, attribute, value)
    return None if value_or_none is None else video_cards.allowed_attribute(tag, attribute, value_or_none)
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    """Half a surrogate pair ("\\ud800" in JSON) is no character at all: nh3 refuses it. Shown
    as U+FFFD, as markdown-it shows NUL."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def sanitize(html: str) -> str:
    """The last word on what markup reaches a page, whatever produced it."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
        strip_comments=True,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_allowed_attribute,
    )


def render_markdown(source: str, mentions: dict[str, str] | None = None,
                    uploads: Mapping[str, Any] | None = None, hashtags: list[str] | None = None) -> str:
    """`mentions` maps lower-cased usernames that exist to their spelling: only those
    @names become links to profiles. `uploads` maps the upload keys the text names to their
    rows: only those show as pictures and file cards. Every #tag becomes a link to its page,
    and is added to `hashtags` as written, when a list is given."""
    source = without_lone_surrogates(normalise_newlines(source))
    env: dict[str, Any] = {"mentions": mentions or {}, "uploads": uploads or {}}
    html = sanitize(_markdown.render(source, env))
    if hashtags is not None:
        hashtags.extend(env.get("hashtags", []))
    return html


def text_as_read(html: str) -> str:
    """Rendered HTML as the reader sees it, in plain text: no Markdown syntax, a link's text
    kept and its address dropped, whitespace run together."""
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def summary(html: str, max_chars: int = 160) -> str:
    """Rendered HTML as plain text, cut at a word: a page's meta description."""
    text = text_as_read(html)
    if len(text) <= max_chars:
        return text
    return text[:max_chars].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


MENTION = re.compile(r"@([A-Za-z0-9_-]{3,30})")
_MENTION_AFTER = re.compile(r"[\w@.+-]")  # "ann@example.org" is an address, not a mention


def mentioned_usernames(source: str) -> list[str]:
    """Every @name in the text, once each, as typed."""
    names: list[str] = []
    for match in MENTION.finditer(source):
        before = source[match.start() - 1] if match.start() else ""
        if not (before and _MENTION_AFTER.match(before)) and match.group(1).lower() not in {
                n.lower() for n in names}:
            names.append(match.group(1))
    return names


def _mention_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "@" or (pos and _MENTION_AFTER.match(state.src[pos - 1])):
        return False
    match = MENTION.match(state.src, pos)
    known = (state.env or {}).get("mentions") or {}
    if not match or match.group(1).lower() not in known:
        return False
    if not silent:
        link = state.push("link_open", "a", 1)
        link.attrSet("href", f"/u/{known[match.group(1).lower()]}")
        text = state.push("text", "", 0)
        text.content = match.group(0)
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


_markdown.inline.ruler.before("emphasis", "mention", _mention_rule)
tag_names.install(_markdown)


_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_DASH = re.compile(r"[-\s_]+")


def slugify(title: str, max_length: int = 60) -> str:
    """'Théâtre & £5 budgets' -> 'theatre-5-budgets'. Only for readable URLs; ids do the work."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _SLUG_DASH.sub("-", _SLUG_DROP.sub("", ascii_title).strip().lower()).strip("-")
    return slug[:max_length].rstrip("-") or "thread"
