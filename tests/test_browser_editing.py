"""Editing a post in place with JavaScript on: the editor opens where the post is, Escape
cancels, Save updates the post here and, live, in another member's browser."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]



async def test_a_post_is_edited_in_place_and_changes_live_for_others(live_server, browser):
    base = live_server.base_url
    alice_context, bob_context = await browser.new_context(), await browser.new_context()
    alice, bob = await alice_context.new_page(), await bob_context.new_page()
    await sign_up(alice, base, "alice_ed", "Alice Edwards")
    await sign_up(bob, base, "bob_ed", "Bob Edge")
    await alice.goto(f"{base}/c/general-chat/new")
    await alice.get_by_label("Title").fill("Logic models that people read")
    await alice.get_by_label("Message").fill("Keep it to **one page**.")
    await alice.get_by_role("button", name="Post").click()
    await alice.wait_for_url(re.compile(r"/t/\d+/"))
    await bob.goto(alice.url)
    await expect(bob.locator("#presence")).to_contain_text("Alice Edwards")
    await alice.evaluate("window.stillTheSamePage = true")

    post = alice.locator("article.post").first
    edit_link = post.get_by_role("link", name="Edit", exact=True)
    await edit_link.click()
    editor = post.get_by_label("Edit your post")
    await expect(editor).to_have_value("Keep it to **one page**.")  # the Markdown, not the HTML
    await expect(editor).to_be_focused()
    # Escape puts the post back as it was, focus on its Edit link.
    await editor.press("Escape")
    await expect(editor).to_have_count(0)
    await expect(edit_link).to_be_focused()
    await expect(post.locator(".post-body strong")).to_have_text("one page")

    await edit_link.click()
    await expect(editor).to_have_value("Keep it to **one page**.")
    await editor.fill("Keep it to *one side* of A4.")
    await post.get_by_role("button", name="Save").click()
    await expect(post.locator(".post-body em")).to_have_text("one side")
    await expect(post.get_by_label("Edit your post")).to_have_count(0)
    # Focus is back on the post, also once the live event has refreshed it ("(edited)").
    await expect(post.locator(".edited")).to_be_visible()
    assert await alice.evaluate("document.activeElement.matches('article.post')")
    assert await alice.evaluate("window.stillTheSamePage") is True, "no reload happened"
    # Bob's page changes without a reload.
    await expect(bob.locator("article.post").first.locator(".post-body em")).to_have_text("one side")
    # Stored: a reload shows the edit.
    await alice.reload()
    await expect(alice.locator("article.post").first.locator(".post-body")).to_have_text(
        "Keep it to one side of A4.")
    await alice_context.close()
    await bob_context.close()
