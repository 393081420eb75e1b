"""What people type into search, understood: words, "quoted phrases", @author, in:messages,
and the snippet shown with each result (escaped first, then marked, so it can never carry markup)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup, escape

MIN_QUERY_CHARACTERS = 2
MAX_QUERY_CHARACTERS = 200
MAX_TERMS = 12
SNIPPET_CHARACTERS = 220

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


class QueryError(ValueError):
    pass


@dataclass
class SearchQuery:
    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    author: str | None = None
    in_messages: bool = False  # `in:messages` typed: the searcher's private messages, not posts

    @property
    def all_words(self) -> list[str]:
        return self.words + [w for phrase in self.phrases for w in phrase]


def fold(text: str) -> str:
    """Lower case without accents: 'Mòrag' and 'morag', 'ŵyr' and 'wyr' match alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded_words(text: str) -> list[str]:
    """The words of what was typed, folded: safe to quote as literal tokens for either engine."""
    return _WORD.findall(fold(text))


def parse(text: str, author: str | None = None) -> SearchQuery:
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARACTERS:
        raise QueryError(f"Keep the search to {MAX_QUERY_CHARACTERS} characters.")
    query = SearchQuery(author=(author or "").lstrip("@").strip() or None)
    for phrase, word in _TOKEN.findall(text):
        if word.startswith("@") and len(word) > 1:
            query.author = word[1:]
            continue
        if word.lower() == "in:messages":
            query.in_messages = True
            continue
        words = _WORD.findall(fold(phrase if phrase else word))
        if phrase and len(words) > 1:
            query.phrases.append(words)
        else:
            query.words.extend(words)
    if sum(len(w) for w in query.all_words) < MIN_QUERY_CHARACTERS:
        raise QueryError(f"Type at least {MIN_QUERY_CHARACTERS} letters to search for.")
    if len(query.all_words) > MAX_TERMS:
        raise QueryError(f"Use at most {MAX_TERMS} words.")
    return query


def snippet(text: str, query: SearchQuery) -> Markup:
    """A window of the text around the first match, escaped, with matched words in <mark>."""
    folded_words = set(query.all_words)
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text) if fold(m.group()) in folded_words]
    start = max(0, spans[0][0] - SNIPPET_CHARACTERS // 3) if spans else 0
    end = min(len(text), start + SNIPPET_CHARACTERS)
    pieces: list[str] = ["…" if start else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(str(escape(text[cursor:span_start])))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    pieces.append(str(escape(text[cursor:end])))
    pieces.append("…" if end < len(text) else "")
    return Markup("".join(pieces))
