"""How uploads show in a post. `![alt](/uploads/key)` is a picture of this forum's own: its
page-width copy, sized so the page does not jump as it loads, loading lazily, linking to the
full picture; two or more alone in a paragraph are a gallery. `[name](/uploads/key)` for a file
is a card with its type and size. Any other image is shown as its words: pictures from other
hosts would tell them who reads the forum, and the page's CSP would block them anyway.

What each upload is comes from env["uploads"] ({key: upload row}), looked up when the post is
written: Markdown is rendered once, then stored."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from forum.storage import KEY, size_in_words
from forum.storage.documents import LABELS

UPLOAD_URL = re.compile(rf"/uploads/({KEY.pattern})")
PICTURE_URL = re.compile(rf"/uploads/{KEY.pattern[:-len(r'[a-z0-9]{1,5}')]}(jpg|png|webp)")
CLASSES = {"a": {"upload-picture", "upload-file"}, "p": {"gallery"}, "span": {"upload-meta"}}


_MARKDOWN_PUNCTUATION = re.compile(r"([\\\[\]])")


def _escaped(text: str) -> str:
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def markdown_for(upload: Any) -> str:
    """What shows an upload in a post: ![alt](url) for a picture, [name](url) for a file."""
    words = upload["alt"] if _is_picture(upload) else upload["original_name"]
    return f"{'!' if _is_picture(upload) else ''}[{_escaped(words)}](/uploads/{upload['key']})"


def keys_in(source: str) -> set[str]:
    """Every upload a post's text names, whether or not it exists."""
    return {m.group(1) for m in UPLOAD_URL.finditer(source)}


def _upload(env: Mapping[str, Any] | None, url: object) -> Any:
    match = UPLOAD_URL.fullmatch(url) if isinstance(url, str) else None
    return ((env or {}).get("uploads") or {}).get(match.group(1)) if match else None


def _is_picture(upload: Any) -> bool:
    return upload is not None and upload["width"] is not None


def _inside_link(tokens: Sequence[Token], idx: int) -> bool:
    depth = 0
    for token in tokens[:idx]:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
    return depth > 0


def render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    upload = _upload(env, token.attrGet("src"))
    if not _is_picture(upload):
        return escapeHtml(alt)
    picture = (f'<img src="/uploads/{upload["display_key"]}" alt="{escapeHtml(alt or upload["alt"])}" '
               f'width="{upload["display_width"]}" height="{upload["display_height"]}" loading="lazy">')
    if _inside_link(tokens, idx):
        return picture
    return f'<a class="upload-picture" href="/uploads/{upload["key"]}">{picture}</a>'


def render_link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    upload = _upload(env, tokens[idx].attrGet("href"))
    if upload is not None and not _is_picture(upload):
        tokens[idx].attrSet("class", "upload-file")
        tokens[idx].meta["upload"] = upload
    return self.renderToken(tokens, idx, options, env)


def render_link_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    opener = next((t for t in reversed(tokens[:idx]) if t.type == "link_open"), None)
    upload = opener.meta.get("upload") if opener is not None else None
    if upload is None:
        return "</a>"
    label = LABELS.get(upload["content_type"], "File")
    return f'<span class="upload-meta">{escapeHtml(label)}, {size_in_words(upload["size"])}</span></a>'


def mark_galleries(state: StateCore) -> None:
    """A paragraph of nothing but two or more of this forum's pictures is a gallery."""
    tokens = state.tokens
    for i, token in enumerate(tokens[:-1]):
        inline = tokens[i + 1]
        if token.type != "paragraph_open" or inline.type != "inline":
            continue
        children = inline.children or []
        images = [c for c in children if c.type == "image"]
        rest = [c for c in children if c.type not in ("image", "softbreak", "hardbreak")
                and not (c.type == "text" and not c.content.strip())]
        if len(images) >= 2 and not rest and all(
                _is_picture(_upload(state.env, c.attrGet("src"))) for c in images):
            token.attrSet("class", "gallery")


def install(markdown: MarkdownIt) -> None:
    markdown.enable("image")
    markdown.add_render_rule("image", render_image)
    markdown.add_render_rule("link_open", render_link_open)
    markdown.add_render_rule("link_close", render_link_close)
    markdown.core.ruler.push("upload_galleries", mark_galleries)


def allowed_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3's last word on pictures: a src only of this forum's own, lazily loaded, sized in digits."""
    if tag != "img":
        return value
    if attribute == "src":
        return value if PICTURE_URL.fullmatch(value) else None
    if attribute in ("width", "height"):
        return value if value.isdigit() else None
    if attribute == "loading":
        return "lazy"
    return value
