"""Composing and reading live in Chromium: focus after sending, locks, typing, your own
replies, seats, mentions and drafts, each as a member at the keyboard meets them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Page, expect

from tests.browser import sign_up
from tests.test_cli import run_forum

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

LOCKED = "This thread is locked: it takes no new replies."



async def member_page(browser, base: str, username: str, display_name: str) -> Page:
    """A signed-up member in a browser context of their own."""
    page = await (await browser.new_context()).new_page()
    await sign_up(page, base, username, display_name)
    return page


async def api_post(page: Page, base: str, path: str, data: dict) -> dict:
    """A cookie-authenticated API write, with the CSRF token the page carries."""
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = await page.request.post(f"{base}/api/v1{path}", data=data, headers={"X-CSRF-Token": token})
    assert response.ok, await response.text()
    return await response.json()


async def open_thread(page: Page, base: str, title: str = "Logic models in practice") -> str:
    thread = await api_post(page, base, "/threads", {"title": title, "body": "Opening post",
                                                     "categories": ["general-chat"]})
    await page.goto(f"{base}/t/{thread['id']}")
    return page.url


def make_moderator(live_server, username: str) -> None:
    assert run_forum(live_server.database_url, "user", "role", username, "moderator").returncode == 0


async def test_ctrl_enter_keeps_focus_in_the_emptied_reply_box(live_server, browser):
    base = live_server.base_url
    page = await member_page(browser, base, "alice", "Alice Evans")
    await open_thread(page, base)
    message = page.get_by_label("Message")
    await message.fill("First thought")
    await message.press("Control+Enter")
    await expect(page.locator("article.post.depth-1", has_text="First thought")).to_be_visible()
    await expect(message).to_be_focused()
    await expect(message).to_have_value("")
    # Answering a post in place: the box stays under it, empty, focused, ready for more.
    await page.locator("article.post").first.get_by_role("link", name=re.compile("^Reply")).click()
    await message.fill("Second thought")
    await message.press("Control+Enter")
    await expect(page.locator("article.post", has_text="Second thought")).to_be_visible()
    await expect(message).to_be_focused()
    await expect(message).to_have_value("")


async def test_a_lock_reaches_open_pages_and_keeps_what_was_typed(live_server, browser):
    base = live_server.base_url
    moderator = await member_page(browser, base, "modfiona", "Fiona Moderator")
    make_moderator(live_server, "modfiona")
    thread_url = await open_thread(moderator, base)
    thread_id = thread_url.split("/t/")[1].split("/")[0]
    member = await member_page(browser, base, "bob", "Bob Mackay")
    await member.goto(thread_url)
    message = member.get_by_label("Message")
    await message.fill("Half-written thoughts")

    await api_post(moderator, base, f"/threads/{thread_id}/lock", {})
    await expect(member.locator("#reply-form")).to_contain_text(LOCKED)
    await expect(member.get_by_role("button", name="Reply", exact=True)).to_be_disabled()
    await expect(message).to_have_value("Half-written thoughts")
    # A moderator may still reply to a locked thread: their page keeps its form.
    await expect(moderator.get_by_role("button", name="Reply", exact=True)).to_be_enabled()
    await expect(moderator.locator("#reply-form")).not_to_contain_text(LOCKED)

    await api_post(moderator, base, f"/threads/{thread_id}/unlock", {})
    await expect(member.get_by_role("button", name="Reply", exact=True)).to_be_enabled()
    await expect(member.locator("#reply-form")).not_to_contain_text(LOCKED)
    await message.press("Control+Enter")
    await expect(member.locator("article.post", has_text="Half-written thoughts")).to_be_visible()

    # A page opened while locked gets the form once the thread is unlocked.
    await api_post(moderator, base, f"/threads/{thread_id}/lock", {})
    await member.reload()
    await expect(member.locator("#reply-form")).to_be_hidden()
    await api_post(moderator, base, f"/threads/{thread_id}/unlock", {})
    await expect(member.get_by_label("Message")).to_be_visible()
    await expect(member.get_by_role("button", name="Reply", exact=True)).to_be_enabled()


async def test_typing_clears_when_the_typists_reply_lands(live_server, browser):
    base = live_server.base_url
    alice = await member_page(browser, base, "alice", "Alice Evans")
    thread_url = await open_thread(alice, base)
    bob = await member_page(browser, base, "bob", "Bob Mackay")
    await bob.goto(thread_url)
    await bob.get_by_label("Message").press_sequentially("On my way", delay=20)
    await expect(alice.locator("#typing")).to_have_text("Bob Mackay is typing…")
    await bob.get_by_label("Message").press("Control+Enter")
    await expect(alice.locator("article.post", has_text="On my way")).to_be_visible()
    await expect(alice.locator("#typing")).to_have_text("", timeout=2000)  # not 6 s later


async def test_your_own_live_reply_looks_as_it_will_after_a_reload(live_server, browser):
    base = live_server.base_url
    page = await member_page(browser, base, "alice", "Alice Evans")
    await open_thread(page, base)
    await page.get_by_label("Message").fill("Mine, just sent")
    await page.get_by_label("Message").press("Control+Enter")
    mine = page.locator("article.post", has_text="Mine, just sent")
    await expect(mine.get_by_role("link", name="Edit")).to_be_visible()
    await expect(mine.locator(".new-badge")).to_have_count(0)
    await expect(mine.get_by_role("link", name=re.compile("^Flag"))).to_have_count(0)
    live_text = await mine.locator(".post-head, .post-actions").all_inner_texts()
    await page.reload()
    assert await mine.locator(".post-head, .post-actions").all_inner_texts() == live_text


async def test_the_last_seat_going_turns_register_into_the_reserve_list_live(live_server, browser):
    base = live_server.base_url
    moderator = await member_page(browser, base, "modfiona", "Fiona Moderator")
    make_moderator(live_server, "modfiona")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    event = await api_post(moderator, base, "/events", {
        "title": "Evaluation network meeting", "body": "Bring one example.", "location": "Leeds",
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 1, "categories": ["announcements"]})
    first = await member_page(browser, base, "alice", "Alice Evans")
    second = await member_page(browser, base, "bob", "Bob Mackay")
    for page in (first, second):
        await page.goto(f"{base}/events/{event['id']}")
    await first.get_by_role("button", name="Register").click()
    await expect(first.get_by_text("You are registered.")).to_be_visible()
    # Bob's open page is offered what a reload would offer a full event: the reserve list.
    await expect(second.get_by_role("button", name="Join the reserve list")).to_be_visible()
    await first.get_by_role("button", name="Cancel my registration").click()
    await expect(second.get_by_role("button", name="Register")).to_be_visible()



async def test_drafts_survive_leaving_and_coming_back_and_go_once_sent(live_server, browser):
    base = live_server.base_url
    page = await member_page(browser, base, "alice", "Alice Evans")
    thread_url = await open_thread(page, base)
    message = page.get_by_label("Message")
    await message.fill("A reply, half written")
    await page.goto(f"{base}/")
    await page.goto(thread_url)
    await expect(message).to_have_value("A reply, half written")
    await message.press("Control+Enter")
    await expect(page.locator("article.post", has_text="A reply, half written")).to_be_visible()
    await page.reload()
    await expect(message).to_have_value("")

    # An answer to one post comes back under that post.
    first = page.locator("article.post").first
    await first.get_by_role("link", name=re.compile("^Reply")).click()
    await message.fill("An answer to the opening post")
    await page.reload()
    await expect(message).to_have_value("An answer to the opening post")
    opening_id = await first.get_attribute("data-post-id")
    await expect(page.locator('#reply-form input[name="parent_id"]')).to_have_value(opening_id)

    # A new thread, per channel; sent through the plain form, it is forgotten.
    await page.goto(f"{base}/c/general-chat/new")
    await message.fill("Opening words, kept")
    await page.goto(f"{base}/c/welcome/new")
    await expect(message).to_have_value("")
    await page.goto(f"{base}/c/general-chat/new")
    await expect(message).to_have_value("Opening words, kept")
    await page.get_by_label("Title").fill("Kept words")
    await page.get_by_role("button", name="Post").click()
    await page.wait_for_url(re.compile(r"/t/\d+"))
    await page.goto(f"{base}/c/general-chat/new")
    await expect(message).to_have_value("")

    # An edit, per post.
    await page.goto(f"{base}/p/{opening_id}/edit")
    await message.fill("Opening post, reworded")
    await page.goto(thread_url)
    await page.goto(f"{base}/p/{opening_id}/edit")
    await expect(message).to_have_value("Opening post, reworded")


async def test_drafts_are_forgotten_at_log_out_so_the_next_person_finds_none(live_server, browser):
    """A shared computer: one browser, two members one after the other."""
    base = live_server.base_url
    page = await member_page(browser, base, "first_at_desk", "First At Desk")
    thread_url = await open_thread(page, base)
    await page.get_by_label("Message").fill("Something private, half written")
    await page.goto(f"{base}/c/general-chat/new")
    await page.get_by_label("Message").fill("A thread not yet posted")
    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_load_state()
    await sign_up(page, base, "next_at_desk", "Next At Desk")
    await page.goto(thread_url)
    await expect(page.get_by_label("Message")).to_have_value("")
    await page.goto(f"{base}/c/general-chat/new")
    await expect(page.get_by_label("Message")).to_have_value("")
    assert await page.evaluate(
        "Object.keys(localStorage).filter(function (k) { return k.indexOf('forum-draft:') === 0; })") == []
