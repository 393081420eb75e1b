"""Newcomers: the welcome page, introducing yourself, greeters, and who welcomed whom."""

from __future__ import annotations

import httpx

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.db import notifications, users
from tests.helpers import PASSWORD, make_member, sign_up, submit
from tests.live_helpers import LiveClient, session_cookie


async def test_a_newcomer_lands_on_the_welcome_page_and_introduces_themselves(client, forum):
    moderator = await make_member(forum, "host", role="moderator")
    pinned = await thread_actions.create_thread(
        forum, moderator, "Welcome! Start here", "Tell us **who you are**.", ["welcome"]
    )
    await thread_actions.set_flag(forum, moderator, pinned, "pinned", True)
    greeter = await make_member(forum, "greeter")
    await users.update_profile(forum.db, greeter.id, greeter=True)

    response = await sign_up(client, "newcomer", display_name="Nia Newcomer")
    assert response.headers["location"] == "/welcome"
    page = await client.get("/welcome")
    assert page.status_code == 200
    assert "Welcome! Start here" in page.text and "<strong>who you are</strong>" in page.text
    assert "Introduce yourself" in page.text and "where do you work" in page.text
    empty = await submit(client, "/welcome", {"body": ""}, "/welcome")
    assert empty.status_code == 400 and "Write a message" in empty.text
    posted = await submit(client, "/welcome", {"body": "I run a food bank in Wrexham."}, "/welcome")
    assert posted.status_code == 303
    thread_id = int(posted.headers["location"].split("/")[2])
    intro = await client.get(posted.headers["location"])
    assert "Introducing Nia Newcomer" in intro.text

    # Greeters hear of it; Welcome lists it as waiting until someone answers.
    [note] = await notifications.for_user(forum.db, greeter.id)
    assert note["kind"] == "introduction" and note["thread_id"] == thread_id
    welcome_channel = (await client.get("/c/welcome")).text
    assert "Waiting for a welcome" in welcome_channel and f'id="waiting-{thread_id}"' in welcome_channel
    assert "Introducing Nia Newcomer" in welcome_channel
    await post_actions.reply(forum, greeter, thread_id, "Croeso, Nia!")
    await post_actions.reply(forum, moderator, thread_id, "Welcome!")
    # Answered: the list is empty, and hidden (it stays on the page for live additions).
    answered = (await client.get("/c/welcome")).text
    assert 'id="waiting-welcome" aria-labelledby="waiting-heading" hidden' in answered
    assert f'id="waiting-{thread_id}"' not in answered
    profile = (await client.get("/u/newcomer")).text
    assert "Welcomed by" in profile and 'href="/u/greeter">greeter</a>' in profile


async def test_after_introducing_themselves_a_newcomer_is_told_what_happens_next(client, other_client,
                                                                                 forum):
    """Not a box inviting them to reply to themselves: what happens next. Others still see the
    reply box, and so does the newcomer once someone has answered."""
    greeter = await make_member(forum, "greeter")
    await users.update_profile(forum.db, greeter.id, greeter=True)
    await sign_up(client, "newcomer", display_name="Nia Newcomer")
    posted = await submit(client, "/welcome", {"body": "I run a food bank in Wrexham."}, "/welcome")
    intro = await client.get(posted.headers["location"])
    assert "What happens next" in intro.text
    assert "Greeters have been told; replies will appear here" in intro.text
    # No box inviting a reply (kept, hidden, for a post's own Reply link to open).
    assert '<section class="reply-box" aria-labelledby="reply-heading" hidden>' in intro.text

    await sign_up(other_client, "neighbour")
    seen_by_another = await other_client.get(posted.headers["location"])
    assert '<section class="reply-box" aria-labelledby="reply-heading">' in seen_by_another.text
    assert "What happens next" not in seen_by_another.text

    thread_id = int(posted.headers["location"].split("/")[2])
    await post_actions.reply(forum, greeter, thread_id, "Croeso, Nia!")
    answered = await client.get(posted.headers["location"])
    assert '<section class="reply-box" aria-labelledby="reply-heading">' in answered.text
    assert "What happens next" not in answered.text


async def test_visitors_are_sent_to_sign_up(client):
    response = await client.get("/welcome")
    assert response.status_code == 303 and response.headers["location"] == "/signup"


async def test_greeters_opt_in_on_their_profile(client, forum):
    await sign_up(client, "kind_one")
    saved = await submit(
        client,
        "/u/kind_one/edit",
        {"display_name": "Kind One", "bio": "", "organisation": "", "location": "", "greeter": "on"},
        "/u/kind_one/edit",
    )
    assert saved.status_code == 303
    assert (await users.by_username(forum.db, "kind_one"))["greeter"] is True
    await submit(client, "/u/kind_one/edit", {"display_name": "Kind One"}, "/u/kind_one/edit")
    assert (await users.by_username(forum.db, "kind_one"))["greeter"] is False


async def test_signed_in_members_hear_that_someone_just_joined_and_visitors_do_not(live_server, client):
    """member.joined goes to the "members" live channel, which only signed-in connections may
    join: a stranger's name is not announced to every anonymous visitor of Welcome. (Was sent on
    category:welcome, which anyone may follow.)"""
    cookie = await session_cookie(live_server.base_url, "host")
    member = await LiveClient.open(live_server.ws_url, cookie=cookie)
    await member.subscribe(["members", "category:welcome"])
    visitor = await LiveClient.open(live_server.ws_url)
    await visitor.subscribe(["category:welcome"])
    await visitor.send({"type": "subscribe", "channels": ["members"]})
    refused = await visitor.receive_type("error")
    assert refused["code"] == "forbidden"
    async with httpx.AsyncClient(base_url=live_server.base_url) as http:
        created = await http.post(
            "/api/v1/users", json={"username": "joiner", "password": PASSWORD, "display_name": "Jo Joiner"}
        )
        assert created.status_code == 201
    # Subscribed without `since`, the member may also hear their own sign-up, logged just
    # before (its process may have left it for its next read of the log).
    heard = await member.receive_events(1)
    if heard[0]["data"].get("display_name") == "host":
        heard = (await member.receive_events(2))[1:]
    [event] = heard
    assert event["event"] == "member.joined" and event["channel"] == "members"
    assert event["data"]["display_name"] == "Jo Joiner"
    # The visitor, on Welcome all along, was told nothing, not even on resuming from the start.
    again = await LiveClient.open(live_server.ws_url)
    await again.subscribe(["category:welcome"], since=0)
    assert [e for e in again.events + visitor.events if e["event"] == "member.joined"] == []
    for watcher in (member, visitor, again):
        await watcher.close()

    # The Welcome page's "just joined" line is there for members only.
    welcome = (await client.get("/c/welcome")).text
    assert 'id="just-joined"' not in welcome
    await sign_up(client, "reader")
    assert 'id="just-joined"' in (await client.get("/c/welcome")).text
