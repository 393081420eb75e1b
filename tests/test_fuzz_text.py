"""Fuzzing the Markdown renderer: whatever people type (arbitrary text, Markdown and HTML
fragments, the XSS corpus cut into pieces, @mentions), rendering never raises and the HTML it
stores holds only the tags, attributes and URL schemes the sanitizer allows."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    MENTION,
    mentioned_usernames,
    render_markdown,
    sanitize,
    slugify,
)
from tests.xss_vectors import DANGEROUS_PATTERNS, XSS_VECTORS

# Derandomized: CI sees the same inputs every run; no deadline: a loaded machine is not a bug.
FUZZ = settings(max_examples=300, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

# nh3 adds rel="nofollow ugc noopener noreferrer" to every link itself.
ADDED_ATTRIBUTES = {"a": {"rel"}}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "poster", "background"}
# Browsers drop these before reading a URL's scheme ("java\tscript:" is "javascript:").
URL_IGNORED = re.compile(r"[\t\n\r]")
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")

FRAGMENTS = [
    "*", "**", "_", "__", "~~", "`", "```", "~~~", "\n", "\n\n", "  \n", "\r\n", "\r", "\t", "    ",
    "> ", "- ", "+ ", "* ", "1. ", "2) ", "# ", "###### ", "---", "===", "***", "|", "| --- |", ":-:",
    "[", "]", "(", ")", "](", "![", "<", ">", "&", "&amp;", "&lt;", "&#x6A;", "&#106;", "&#0000106",
    "&colon;", "\\", '"', "'", "=", " ", "\x00", "\u200b", "\u202e", "\ufeff",
    "http://", "https://example.org/a?b=c&d=e#f", "www.example.org", "mailto:ann@example.org",
    "javascript:", "JaVaScRiPt:", "java\tscript:", "vbscript:", "data:text/html,", "data:", "file:",
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href=", "</a>", "<svg onload=",
    "<iframe", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<?xml", "onmouseover=", "style=",
    "@", "@ann", "@Ann_Hughes", "@bob-smith", "@nobody", "ann@example.org",
]
KNOWN_MEMBERS = {"ann": "Ann", "ann_hughes": "Ann_Hughes", "bob-smith": "bob-smith"}


def _xss_pieces() -> st.SearchStrategy[str]:
    """Whole payloads from the corpus, and slices of them to splice into other text."""
    whole = st.sampled_from(XSS_VECTORS)
    return whole | st.tuples(whole, st.integers(0, 200), st.integers(1, 60)).map(
        lambda t: t[0][t[1]:t[1] + t[2]])


markdownish = st.lists(
    st.sampled_from(FRAGMENTS) | _xss_pieces() | st.text(max_size=8) | st.characters(categories=["Cs"]),
    max_size=40).map("".join)
usernames = st.from_regex(r"[A-Za-z0-9_-]{3,30}", fullmatch=True)
mention_maps = st.dictionaries(usernames.map(str.lower), usernames, max_size=4).map(
    lambda known: {**known, **KNOWN_MEMBERS})


class AllowlistChecker(HTMLParser):
    """Collects every way the HTML steps outside the sanitizer's allowlist."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ADDED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name == "class" and set((value or "").split()) <= ALLOWED_CLASSES.get(tag, set()):
                continue  # only the classes the renderer sets for uploads
            if name not in allowed or name.startswith("on"):
                self.problems.append(f"attribute {name}= on <{tag}>")
            if name in URL_ATTRIBUTES and not url_is_safe(value or ""):
                self.problems.append(f"URL {value!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"end tag </{tag}>")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data[:40]!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl[:40]!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data[:40]!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data[:40]!r}")


def url_is_safe(value: str) -> bool:
    """Relative URLs, and absolute ones only with an allowed scheme, read as a browser would."""
    url = URL_IGNORED.sub("", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                           "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
                                           "\x1d\x1e\x1f ").lower()
    scheme = SCHEME.match(url)
    return scheme is None or scheme.group(1) in ALLOWED_URL_SCHEMES


def assert_within_allowlist(html: str) -> None:
    checker = AllowlistChecker()
    checker.feed(html)
    checker.close()
    assert not checker.problems, (checker.problems, html)
    low = html.lower()
    for pattern in DANGEROUS_PATTERNS:
        assert re.search(pattern, low) is None, (pattern, html)


def assert_renders_safely(source: str, mentions: dict[str, str] | None = None) -> str:
    html = render_markdown(source, mentions)
    assert isinstance(html, str)
    assert_within_allowlist(html)
    # What is stored is already clean: sanitizing it again changes nothing.
    assert sanitize(html) == html, html
    return html


@FUZZ
@given(st.text())
def test_arbitrary_text_renders_within_the_allowlist(source):
    assert_renders_safely(source)


# Half surrogate pairs too: JSON's "\ud800" arrives as one, though no encoding can hold it.
any_code_point = st.characters() | st.characters(categories=["Cs"]) | st.sampled_from("\x00\x0b\x1b\x7f")


@FUZZ
@given(st.text(alphabet=any_code_point, max_size=300))
def test_any_code_points_render_within_the_allowlist(source):
    html = assert_renders_safely(source)
    html.encode("utf-8")  # what is stored and sent must be real text


@settings(FUZZ, max_examples=600)
@given(markdownish, mention_maps)
def test_markdown_and_html_fragments_render_within_the_allowlist(source, mentions):
    assert_renders_safely(source, mentions)


@FUZZ
@given(st.lists(_xss_pieces(), min_size=1, max_size=6).map("\n".join))
def test_xss_pieces_joined_render_within_the_allowlist(source):
    assert_renders_safely(source)


@FUZZ
@given(markdownish)
def test_rendering_is_deterministic_and_mentions_change_nothing_without_an_at(source):
    plain = render_markdown(source)
    assert render_markdown(source) == plain
    if "@" not in source:
        assert render_markdown(source, KNOWN_MEMBERS) == plain


@FUZZ
@given(st.lists(st.sampled_from(["@ann", "@Ann_Hughes", "@bob-smith", "words", "ann@example.org",
                                  "\n", "`@ann`", "**@bob-smith**"]), max_size=12).map(" ".join))
def test_known_mentions_outside_code_become_profile_links(source):
    html = assert_renders_safely(source, KNOWN_MEMBERS)
    outside_code = re.sub(r"`[^`]*`", "", source)
    for name in mentioned_usernames(outside_code):
        if name.lower() in KNOWN_MEMBERS:
            assert f'href="/u/{KNOWN_MEMBERS[name.lower()]}"' in html, (name, html)


@FUZZ
@given(markdownish | st.text())
def test_mentioned_usernames_are_valid_names_once_each(source):
    names = mentioned_usernames(source)
    assert all(MENTION.fullmatch(f"@{name}") for name in names)
    assert len({n.lower() for n in names}) == len(names)


@FUZZ
@given(st.text(), st.integers(1, 80))
def test_slugs_are_short_lowercase_ascii_words(title, max_length):
    slug = slugify(title, max_length)
    assert slug == "thread" or (0 < len(slug) <= max_length and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug))
