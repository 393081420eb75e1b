"""A YouTube or Vimeo link alone on its line is a video card: a large link that opens the
video on its own site in a new tab. Nothing is embedded and nothing is fetched from the other
site (no player, no thumbnail) until the reader chooses to go there, so the page's CSP stays
as it is and reading a post tells no video site who reads it."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

VIDEO_SITES = [
    (re.compile(r"https?://(?:www\.|m\.)?youtube\.com/(?:watch\?v=|shorts/)[\w-]{11}(?:[&?#][\w=&%.-]*)?"),
     "YouTube"),
    (re.compile(r"https?://youtu\.be/[\w-]{11}(?:[?#][\w=&%.-]*)?"), "YouTube"),
    (re.compile(r"https?://(?:www\.|player\.)?vimeo\.com/(?:video/)?\d+(?:[?#][\w=&%.-]*)?"), "Vimeo"),
]
CLASSES = {"p": {"video-card"}, "span": {"video-site"}}


def video_site(url: str) -> str | None:
    return next((site for pattern, site in VIDEO_SITES if pattern.fullmatch(url)), None)


def mark_video_cards(state: StateCore) -> None:
    tokens = state.tokens
    for i, token in enumerate(tokens[:-1]):
        inline = tokens[i + 1]
        if token.type != "paragraph_open" or inline.type != "inline" or not inline.children:
            continue
        children = [c for c in inline.children if not (c.type == "text" and not c.content.strip())]
        if len(children) < 3 or children[0].type != "link_open" or children[-1].type != "link_close":
            continue
        if any(c.type in ("link_open", "link_close") for c in children[1:-1]):
            continue
        site = video_site(str(children[0].attrGet("href") or ""))
        if site is None:
            continue
        token.attrSet("class", "video-card")
        children[0].attrSet("target", "_blank")
        label = Token("html_inline", "", 0)
        label.content = f'<span class="video-site">Watch on {site} (opens in a new tab)</span> '
        inline.children.insert(inline.children.index(children[0]) + 1, label)


def install(markdown: MarkdownIt) -> None:
    markdown.core.ruler.push("video_cards", mark_video_cards)


def allowed_attribute(tag: str, attribute: str, value: str) -> str | None:
    """A link may open a new tab, and nothing else (nh3 adds rel=noopener to every link)."""
    if tag == "a" and attribute == "target":
        return "_blank" if value == "_blank" else None
    return value
