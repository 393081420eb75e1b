"""What a tag may be called, how names match, and `#tag` in what people write.

A tag is shown as the first person wrote it ("CoProduction") but matched by its key: accents
folded and case ignored, so #Évaluation and #evaluation are one tag."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from markdown_it.rules_inline import StateInline

from forum.validation import ValidationError

MAX_LENGTH = 50
MAX_PER_THREAD = 10
_NAME = re.compile(r"[\w-]+")
# In text a tag starts with a letter, so "issue #12" and "# heading" stay as written.
_IN_TEXT = re.compile(r"#([^\W\d_][\w-]*)")
# Only after a space, the start or an opening bracket or quote: "page#part" and
# "example.org/#part" are addresses, not tags.
_MAY_PRECEDE = re.compile(r"[\s(\[{\"'“‘]")
NAME_RULE = ("Tags are single words of letters, digits, - and _ (up to 50 characters); "
             "write open-data rather than open data.")


def tag_key(name: str) -> str:
    """'Évaluation' -> 'evaluation': the form two names must share to be one tag."""
    decomposed = unicodedata.normalize("NFKD", name)
    return unicodedata.normalize("NFC", "".join(
        c for c in decomposed if not unicodedata.combining(c)).casefold())


def is_valid_name(name: str) -> bool:
    return (0 < len(name) <= MAX_LENGTH and _NAME.fullmatch(name) is not None
            and any(c.isalnum() for c in name))


def tag_path(key: str) -> str:
    return "/tags/" + quote(key, safe="")


def split_line(line: str) -> list[str]:
    """A form's tag field: names separated by commas."""
    return [part for part in line.split(",") if part.strip()]


def check_names(value: Any, field: str = "tags") -> list[str]:
    """A list of names: each valid, once each by key, at most MAX_PER_THREAD."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({field: "Give tags as a list of names."})
    names: dict[str, str] = {}
    for raw in value:
        name = raw.strip().removeprefix("#")
        if not is_valid_name(name):
            shown = name if len(name) <= 60 else name[:60] + "…"
            raise ValidationError({field: f"“{shown}” is not a tag. {NAME_RULE}"})
        names.setdefault(tag_key(name), name)
    if len(names) > MAX_PER_THREAD:
        raise ValidationError({field: f"A thread carries at most {MAX_PER_THREAD} tags."})
    return list(names.values())


def _hashtag_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "#" or state.linkLevel > 0:  # never a link inside a link's text
        return False
    if pos and not _MAY_PRECEDE.match(state.src[pos - 1]):
        return False
    match = _IN_TEXT.match(state.src, pos)
    if not match:
        return False
    name = match.group(1).rstrip("-")
    if not is_valid_name(name):
        return False
    if not silent:
        link = state.push("link_open", "a", 1)
        link.attrSet("href", tag_path(tag_key(name)))
        text = state.push("text", "", 0)
        text.content = "#" + name
        state.push("link_close", "a", -1)
        found = state.env.setdefault("hashtags", [])
        found.append(name)
    state.pos = pos + 1 + len(name)
    return True


def install(markdown: Any) -> None:
    """Inline rules never run inside code, and linkify has taken whole addresses before this
    rule sees a '#' in them."""
    markdown.inline.ruler.after("mention", "hashtag", _hashtag_rule)
