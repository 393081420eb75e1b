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
