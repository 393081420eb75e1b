"""Markdown rendering and sanitising."""

from __future__ import annotations

import re

import pytest

from forum.text import render_markdown, slugify
from tests.xss_vectors import DANGEROUS_PATTERNS, XSS_VECTORS


def test_markdown_features():
    html = render_markdown(
        "Para with **bold**, *italics* and `code`.\n\n- one\n- two\n\n1. first\n2. second\n\n"
        "> a quote\n\n[a link](https://example.org/x) and https://example.org/auto\n\n"
        "```\nfenced\n```")
    for fragment in ("<strong>bold</strong>", "<em>italics</em>", "<code>code</code>",
                     "<ul>", "<li>one</li>", "<ol>", "<blockquote>",
                     '<a href="https://example.org/x" rel="nofollow ugc noopener noreferrer">a link</a>',
                     '<a href="https://example.org/auto"', "<pre><code>fenced"):
        assert fragment in html, fragment


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown("<b>hi</b> <script>alert(1)</script>")
    assert "<b>" not in html and "<script" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_never_survive(vector):
    html = render_markdown(vector).lower()
    for pattern in DANGEROUS_PATTERNS:
        assert re.search(pattern, html) is None, (pattern, vector, html)


def test_there_are_enough_xss_vectors():
    assert len(set(XSS_VECTORS)) >= 50


@pytest.mark.parametrize("text", [
    "Costs £250 — “curly” and ‘single’ quotes 😀🎉",
    "Diolch yn fawr! Ŵ ŷ â ê î ô û; Ceud mìle fàilte, Mòrag",
])
def test_unicode_round_trips(text):
    assert text in render_markdown(text)


def test_slugify():
    assert slugify("Théâtre & £5 budgets — Diolch") == "theatre-5-budgets-diolch"
    assert slugify("🎉🎉") == "thread"


# -- pictures and files: only this forum's own uploads ---------------------------------------
PICTURE_KEY, DISPLAY_KEY, FILE_KEY = "a" * 64 + ".png", "c" * 64 + ".png", "b" * 64 + ".pdf"
UPLOADS = {
    PICTURE_KEY: {"key": PICTURE_KEY, "width": 3000, "height": 1000, "display_key": DISPLAY_KEY,
                  "display_width": 1280, "display_height": 427, "alt": "A view of the bay",
                  "content_type": "image/png", "size": 90_000},
    FILE_KEY: {"key": FILE_KEY, "width": None, "height": None, "display_key": None, "alt": "",
               "content_type": "application/pdf", "size": 150_000},
}


def test_images_from_elsewhere_show_as_their_words():
    """Was: every image dropped. Now only pictures of this forum's own uploads show."""
    html = render_markdown("![a tracking pixel](https://evil.example/p.png) "
                           f"![unknown](/uploads/{'d' * 64}.png)", None, UPLOADS)
    assert "<img" not in html and "a tracking pixel" in html and "unknown" in html


def test_an_uploaded_picture_shows_sized_lazy_and_linked_to_the_full_size():
    html = render_markdown(f"Look: ![The bay at dusk](/uploads/{PICTURE_KEY})", None, UPLOADS)
    assert (f'<a class="upload-picture" href="/uploads/{PICTURE_KEY}" rel="nofollow ugc noopener '
            f'noreferrer"><img src="/uploads/{DISPLAY_KEY}" alt="The bay at dusk" width="1280" '
            f'height="427" loading="lazy"></a>') in html
    assert "gallery" not in html
    # No alt in the Markdown: the alt given when it was uploaded.
    assert 'alt="A view of the bay"' in render_markdown(f"![](/uploads/{PICTURE_KEY})", None, UPLOADS)


def test_several_pictures_alone_in_a_paragraph_are_a_gallery():
    html = render_markdown(f"![one](/uploads/{PICTURE_KEY})\n![two](/uploads/{PICTURE_KEY})", None, UPLOADS)
    assert html.startswith('<p class="gallery">') and html.count("<img") == 2


def test_an_uploaded_file_is_a_card_with_its_type_and_size():
    html = render_markdown(f"[Minutes, May](/uploads/{FILE_KEY})", None, UPLOADS)
    assert (f'<a href="/uploads/{FILE_KEY}" class="upload-file" rel="nofollow ugc noopener noreferrer">'
            'Minutes, May<span class="upload-meta">PDF, 146.5 KB</span></a>') in html


def test_the_sanitizer_keeps_only_our_own_picture_sources_and_classes():
    from forum.text import sanitize

    html = sanitize('<img src="https://evil.example/p.png" onerror="x()" width="9e9" loading="eager">'
                    f'<img src="/uploads/{DISPLAY_KEY}" alt="ok"><p class="evil gallery">x</p>')
    assert "evil" not in html and "onerror" not in html and 'width="9e9"' not in html
    assert f'<img src="/uploads/{DISPLAY_KEY}" alt="ok">' in html and '<p class="gallery">' in html


# -- video links: a card that fetches nothing from the video site --------------------------
@pytest.mark.parametrize(("source", "site"), [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YouTube"),
    ("https://youtu.be/dQw4w9WgXcQ", "YouTube"),
    ("[Our talk at the conference](https://vimeo.com/123456789)", "Vimeo"),
])
def test_a_video_link_alone_on_its_line_is_a_card_that_opens_a_new_tab(source, site):
    html = render_markdown(f"Watch this:\n\n{source}\n")
    assert '<p class="video-card"><a href="https://' in html and 'target="_blank"' in html
    assert f'<span class="video-site">Watch on {site} (opens in a new tab)</span>' in html
    assert "<iframe" not in html and "<img" not in html  # nothing loads from the other site


def test_a_video_link_inside_a_sentence_or_elsewhere_stays_a_plain_link():
    for source in ("See https://youtu.be/dQw4w9WgXcQ today", "https://example.org/watch?v=dQw4w9WgXcQ",
                   "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ"):
        html = render_markdown(source)
        assert "video-card" not in html and "target" not in html, html
