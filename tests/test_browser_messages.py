"""Two members in two browsers in a private conversation: messages and typing appear live
and are announced politely; the header's Messages count follows on any other page."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]



async def test_a_conversation_is_live_both_ways(live_server, browser):
    base = live_server.base_url
    alice_context, bob_context = await browser.new_context(), await browser.new_context()
    alice, bob = await alice_context.new_page(), await bob_context.new_page()
    await sign_up(alice, base, "alice", "Alice Evans")
    await sign_up(bob, base, "bob", "Bob Mackay")

    await bob.goto(f"{base}/members")
    await alice.goto(f"{base}/u/bob")
    await alice.get_by_role("link", name="Send a message").click()
    await expect(alice.get_by_label("To", exact=True)).to_have_value("bob")
    await alice.get_by_label("Title").fill("Workshop notes")
    await alice.get_by_label("Message").fill("Can I send you **the notes**?")
    await alice.get_by_role("button", name="Send").click()
    await alice.wait_for_url(re.compile(r"/messages/\d+$"))
    # Bob, on another page, sees the count beside Messages without reloading.
    await expect(bob.locator("#messages-link .message-count")).to_have_text("1 unread")

    await bob.get_by_role("link", name=re.compile("^Messages")).click()
    await bob.get_by_role("link", name="Workshop notes").click()
    await expect(bob.locator("#messages .message")).to_contain_text(["Can I send you the notes?"])
    await expect(bob.locator("#messages-link .message-count")).to_have_count(0)
    await bob.evaluate("window.stillTheSamePage = true")

    await alice.get_by_label("Message").press_sequentially("Here they come", delay=20)
    await expect(bob.locator("#typing")).to_have_text("Alice Evans is typing…")
    await alice.get_by_label("Message").press("Control+Enter")
    await expect(alice.get_by_label("Message")).to_have_value("")
    await expect(bob.locator("#messages .message").last).to_contain_text("Here they come")
    await expect(bob.locator("#live-announcer")).to_have_text("New message from Alice Evans")
    await expect(bob.locator("#messages-link .message-count")).to_have_count(0)  # read as it arrived
    assert await bob.evaluate("window.stillTheSamePage") is True

    await bob.get_by_label("Message").fill("Thanks!")
    await bob.get_by_role("button", name="Send").click()
    await expect(alice.locator("#messages .message").last).to_contain_text("Thanks!")
    await expect(bob.locator("#messages .message")).to_have_count(3)  # shown once, not twice
    await alice_context.close()
    await bob_context.close()
