"""Two members in two browsers on one thread: replies and typing appear live, in place."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser import sign_up
from tests.test_cli import run_forum

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]



def make_moderator(live_server, username: str) -> None:
    """As an administrator would: `forum user role NAME moderator` against the server's database."""
    assert run_forum(live_server.database_url, "user", "role", username, "moderator").returncode == 0


async def test_a_reply_and_typing_appear_live_in_the_other_browser(live_server, browser):
    base = live_server.base_url
    alice_context, bob_context = await browser.new_context(), await browser.new_context()
    alice, bob = await alice_context.new_page(), await bob_context.new_page()
    await sign_up(alice, base, "alice", "Alice Evans")
    await sign_up(bob, base, "bob", "Bob Mackay")

    await bob.goto(f"{base}/c/general-chat")
    await alice.goto(f"{base}/c/general-chat/new")
    await alice.get_by_label("Title").fill("Measuring wellbeing with small groups")
    await alice.get_by_label("Message").fill("Has anyone used **WEMWBS** with groups under ten?")
    await alice.get_by_label("Values & Principles").check()
    await alice.get_by_role("button", name="Post").click()
    await alice.wait_for_url(re.compile(r"/t/\d+/"))
    thread_url = alice.url
    # Bob, reading the channel, sees the new thread arrive at the top without reloading.
    await expect(bob.locator("#thread-list .thread-row").first).to_contain_text(
        "Measuring wellbeing with small groups")

    await bob.goto(thread_url)
    await expect(bob.locator("#presence")).to_contain_text("Alice Evans")
    await alice.evaluate("window.stillTheSamePage = true")

    # Bob answers Alice's opening post, typing first: Alice sees "Bob Mackay is typing…".
    await bob.locator("article.post").first.get_by_role("link", name=re.compile("^Reply")).click()
    await bob.get_by_label("Message").press_sequentially("We did, with a short version", delay=20)
    await expect(alice.locator("#typing")).to_have_text("Bob Mackay is typing…")
    await bob.get_by_role("button", name="Reply").click()

    reply = alice.locator("article.post.depth-1", has_text="We did, with a short version")
    await expect(reply).to_be_visible()
    assert await alice.evaluate("window.stillTheSamePage") is True, "no reload happened"
    await expect(alice.locator("#live-announcer")).to_contain_text("New reply from Bob Mackay")
    # Bob's own page shows it too, with his edit controls revealed.
    await expect(bob.locator("article.post.depth-1 .owner-only").first).to_be_visible()

    # Alice has scrolled up on a small screen: a new reply below the fold is counted for her.
    await alice.set_viewport_size({"width": 390, "height": 300})
    await alice.evaluate("window.scrollTo(0, 0)")
    await bob.get_by_label("Message").fill("One more thought, further down")
    await bob.get_by_label("Message").press("Control+Enter")
    marker = alice.locator("#new-replies")
    await expect(marker).to_have_text("1 new reply")
    await marker.click()
    await expect(alice.locator("article.post", has_text="One more thought")).to_be_in_viewport()
    await alice_context.close()
    await bob_context.close()


async def test_the_same_flow_works_with_javascript_off(live_server, browser):
    base = live_server.base_url
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await sign_up(page, base, "carys", "Carys Pugh")
    await page.goto(f"{base}/c/welcome/new")
    await page.get_by_label("Title").fill("Helo! Carys from Swansea")
    await page.get_by_label("Message").fill("Diolch for having me.")
    await page.get_by_role("button", name="Post").click()
    await page.wait_for_url(re.compile(r"/t/\d+/"))
    await page.locator("article.post").first.get_by_role("link", name=re.compile("^Reply")).click()
    await page.get_by_label("Message").fill("Replying to myself, without JavaScript")
    await page.get_by_role("button", name="Reply").click()
    await expect(page.locator("article.post.depth-1")).to_contain_text("without JavaScript")
    await context.close()


async def test_a_banner_appears_live_and_can_be_dismissed(live_server, browser):
    base = live_server.base_url
    reader_context, mod_context = await browser.new_context(), await browser.new_context()
    reader, moderator = await reader_context.new_page(), await mod_context.new_page()
    await sign_up(reader, base, "reader", "Rhys Reader")
    await sign_up(moderator, base, "modfiona", "Fiona Moderator")
    make_moderator(live_server, "modfiona")
    await reader.goto(f"{base}/c/general-chat")
    await moderator.goto(f"{base}/mod")
    await moderator.get_by_label("Announcement shown on every page").fill("Network event on Friday")
    await moderator.get_by_role("button", name="Show banner").click()
    banner = reader.locator(".site-banner")
    await expect(banner).to_contain_text("Network event on Friday")  # live, no reload
    await banner.get_by_role("button", name="Dismiss").click()
    await expect(reader.locator(".site-banner")).to_have_count(0)
    await reader.reload()
    await expect(reader.locator(".site-banner")).to_have_count(0)  # remembered for this member
    await reader_context.close()
    await mod_context.close()


async def test_the_editor_suggests_names_after_at(live_server, browser):
    base = live_server.base_url
    context = await browser.new_context()
    page = await context.new_page()
    await sign_up(page, base, "rhiannon", "Rhiannon Price")
    await sign_up(page, base, "writer_w", "Wyn Writer")  # the same browser: now signed in as Wyn
    await page.goto(f"{base}/c/general-chat/new")
    message = page.get_by_label("Message")
    await message.press_sequentially("Thanks @rhia", delay=30)
    suggestion = page.get_by_role("option", name="Rhiannon Price (@rhiannon)")
    await expect(suggestion).to_be_visible()
    await message.press("Enter")
    await expect(message).to_have_value("Thanks @rhiannon ")
    await expect(page.get_by_role("listbox")).to_be_hidden()
    await context.close()


async def test_a_reaction_toggles_in_place_and_the_other_browser_sees_the_count(live_server, browser):
    base = live_server.base_url
    alice_context, bob_context = await browser.new_context(), await browser.new_context()
    alice, bob = await alice_context.new_page(), await bob_context.new_page()
    await sign_up(alice, base, "alice", "Alice Evans")
    await sign_up(bob, base, "bob", "Bob Mackay")
    await alice.goto(f"{base}/c/general-chat/new")
    await alice.get_by_label("Title").fill("Reactions welcome")
    await alice.get_by_label("Message").fill("React to this, please")
    await alice.get_by_label("General Chat").check()
    await alice.get_by_role("button", name="Post").click()
    await alice.wait_for_url(re.compile(r"/t/\d+/"))
    await bob.goto(alice.url)
    await expect(bob.locator("#presence")).to_contain_text("Alice Evans")
    await bob.evaluate("window.stillTheSamePage = true")

    # By keyboard: "React" offers the six in place; Heart is given without a reload.
    await bob.get_by_role("link", name="React to this post").focus()
    await bob.keyboard.press("Enter")
    await bob.get_by_role("button", name="Heart").first.press("Enter")
    given = bob.locator(".reaction .reaction-button[value=heart]")
    await expect(given).to_have_attribute("aria-pressed", "true")
    await expect(given).to_contain_text("1")
    assert await bob.evaluate("window.stillTheSamePage") is True, "no reload happened"

    # Alice's page shows the count live, says so politely, and names Bob on focus.
    theirs = alice.locator(".reaction .reaction-button[value=heart]")
    await expect(theirs).to_contain_text("1")
    await expect(theirs).to_have_attribute("aria-pressed", "false")
    await expect(alice.locator("#live-announcer")).to_contain_text("bob reacted: Heart")
    await theirs.focus()
    await expect(alice.locator(".reaction-who")).to_be_visible()
    await expect(alice.locator(".reaction-who")).to_have_text("Heart: bob")

    # Bob takes it back with the same button: gone on both pages.
    await given.click()
    await expect(bob.locator(".reaction .reaction-button[value=heart]")).to_have_count(0)
    await expect(alice.locator(".reaction .reaction-button[value=heart]")).to_have_count(0)


async def test_waiting_for_a_welcome_updates_live(live_server, browser):
    """The Welcome channel's list of introductions nobody has answered: a new one appears on
    open pages, and leaves them when someone replies."""
    base = live_server.base_url
    greeter_context, newcomer_context = await browser.new_context(), await browser.new_context()
    greeter, newcomer = await greeter_context.new_page(), await newcomer_context.new_page()
    await sign_up(greeter, base, "greta", "Greta Hughes")
    await greeter.goto(f"{base}/c/welcome")
    waiting = greeter.locator("#waiting-list")
    await expect(greeter.locator("#waiting-welcome")).to_be_hidden()

    await sign_up(newcomer, base, "nia", "Nia Newcomer")
    await newcomer.goto(f"{base}/welcome")
    await newcomer.get_by_label("Message").fill("I run a food bank in Wrexham.")
    await newcomer.get_by_role("button", name="Post").click()
    await newcomer.wait_for_url(re.compile(r"/t/\d+/"))
    await expect(greeter.locator("#waiting-welcome")).to_be_visible()
    await expect(waiting.get_by_role("link", name="Introducing Nia Newcomer")).to_be_visible()

    answering = await greeter_context.new_page()
    await answering.goto(newcomer.url)
    await answering.get_by_label("Message").fill("Croeso, Nia!")
    await answering.get_by_role("button", name="Reply").click()
    await expect(waiting.get_by_role("link", name="Introducing Nia Newcomer")).to_have_count(0)
    await expect(greeter.locator("#waiting-welcome")).to_be_hidden()


async def test_after_a_server_restart_the_page_reconnects_and_misses_nothing(live_server, browser):
    """forum.js reconnects with growing, jittered delays and resumes from the last event id it
    saw: replies posted while it was away and just after the restart appear once each, in
    place, without a reload. The stopping server said "service restart" (1012), so the first
    try waited at least half a second (drawn from 0.5-10 s: tests/test_reconnect_policy.py)."""
    import asyncio

    import httpx

    from tests.helpers import api_token, reply, start_thread

    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        author = await api_token(http, "restarter")
        thread = await start_thread(http, author, title="Still here after a restart")
    context = await browser.new_context()
    # When the page opens each socket, in the page's own clock, and how each one closed.
    await context.add_init_script("""(() => {
      const Native = window.WebSocket;
      window.socketsOpenedAt = [];
      window.socketsClosed = [];
      window.WebSocket = function (url, protocols) {
        window.socketsOpenedAt.push(performance.now());
        const socket = new Native(url, protocols);
        socket.addEventListener("close",
                                (event) => window.socketsClosed.push([performance.now(), event.code]));
        return socket;
      };
      window.WebSocket.prototype = Native.prototype;
    })();""")
    page = await context.new_page()
    await page.goto(f"{live_server.base_url}/t/{thread['id']}")
    await page.evaluate("window.stillTheSamePage = true")
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        await reply(http, author, thread["id"], "Before the restart")
    await expect(page.locator("article.post", has_text="Before the restart")).to_be_visible()

    stopped = await page.evaluate("performance.now()")
    await asyncio.to_thread(live_server.stop)
    await asyncio.to_thread(live_server.start)  # the same port and database
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        for n in range(3):
            await reply(http, author, thread["id"], f"After the restart, number {n}")
    for n in range(3):
        await expect(page.locator("article.post", has_text=f"After the restart, number {n}")).to_have_count(
            1, timeout=60_000)
    assert await page.evaluate("window.stillTheSamePage") is True, "no reload happened"
    # Backoff: it retried while the server was away, never sooner than half a second apart
    # (the first delay is 1 s, jittered down to half at most; each later one doubles).
    retries = [at for at in await page.evaluate("window.socketsOpenedAt") if at >= stopped]
    assert retries, "it reconnected"
    gaps = [round(later - earlier) for earlier, later in zip(retries, retries[1:], strict=False)]
    assert all(gap >= 450 for gap in gaps), gaps
    [closed_at, code] = (await page.evaluate("window.socketsClosed"))[0]
    assert code == 1012 and retries[0] - closed_at >= 450, (code, retries[0] - closed_at)
    await context.close()
