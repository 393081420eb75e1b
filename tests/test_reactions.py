"""Reactions on posts: the API, the one-button form, the page's fragment, the author told once
per post, and live counts on every open page."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from forum.actions import moderation as moderation_actions
from forum.auth import Member
from forum.db import notifications, users
from tests.helpers import api_token, reply, sign_up, start_thread
from tests.live_helpers import LiveClient


@pytest.fixture
async def scene(client):
    author = await api_token(client, "author")
    fan = await api_token(client, "fan")
    thread = await start_thread(client, author, body="Opening post")
    post = await reply(client, author, thread["id"], "A reply worth a reaction")
    return author, fan, thread, post


async def test_a_reaction_is_set_once_and_taken_back(client, scene):
    author, fan, thread, post = scene
    url = f"/api/v1/posts/{post['id']}/reactions/+1"
    first = await client.put(url, headers=fan)
    assert first.status_code == 200, first.text
    assert first.json() == {"reactions": [{"emoji": "+1", "count": 1, "mine": True}]}
    again = await client.put(url, headers=fan)  # one of each per member per post
    assert again.json() == {"reactions": [{"emoji": "+1", "count": 1, "mine": True}]}
    await client.put(f"/api/v1/posts/{post['id']}/reactions/heart", headers=author)

    seen_by_author = (await client.get(f"/api/v1/posts/{post['id']}", headers=author)).json()
    assert seen_by_author["reactions"] == [{"emoji": "+1", "count": 1, "mine": False},
                                           {"emoji": "heart", "count": 1, "mine": True}]
    in_thread = (await client.get(f"/api/v1/threads/{thread['id']}", headers=fan)).json()["posts"]
    assert in_thread[1]["reactions"] == [{"emoji": "+1", "count": 1, "mine": True},
                                         {"emoji": "heart", "count": 1, "mine": False}]
    assert in_thread[0]["reactions"] == []
    visitor = (await client.get(f"/api/v1/posts/{post['id']}")).json()
    assert [r["mine"] for r in visitor["reactions"]] == [False, False]

    taken_back = await client.delete(url, headers=fan)
    assert taken_back.status_code == 200
    assert taken_back.json() == {"reactions": [{"emoji": "heart", "count": 1, "mine": False}]}


async def test_unknown_emoji_and_missing_posts_are_refused(client, scene):
    _, fan, _, post = scene
    unknown = await client.put(f"/api/v1/posts/{post['id']}/reactions/poop", headers=fan)
    assert unknown.status_code == 404 and "+1" in unknown.json()["error"]["message"]
    missing = await client.put("/api/v1/posts/999999/reactions/heart", headers=fan)
    assert missing.status_code == 404


async def test_hidden_and_deleted_posts_take_no_reactions(client, forum, scene):
    author, fan, thread, post = scene
    moderator = await users.insert(forum.db, username="moddy", display_name="Moddy",
                                   password_hash="x", role="moderator")
    mod = Member.from_row(await users.by_id(forum.db, moderator))
    await moderation_actions.hide_post(forum, mod, post["id"], "Off topic")
    hidden = await client.put(f"/api/v1/posts/{post['id']}/reactions/heart", headers=fan)
    assert hidden.status_code == 403 and "hid" in hidden.json()["error"]["message"]

    other = await reply(client, author, thread["id"], "Soon gone")
    assert (await client.delete(f"/api/v1/posts/{other['id']}", headers=author)).status_code == 204
    deleted = await client.put(f"/api/v1/posts/{other['id']}/reactions/heart", headers=fan)
    assert deleted.status_code == 404 and "deleted" in deleted.json()["error"]["message"]


def _reaction_form_token(page: str) -> str:
    form = re.search(r'<form method="post" id="reaction-form".*?</form>', page, re.S).group(0)
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', form).group(1)


async def test_one_click_toggles_a_reaction_without_javascript(client, scene):
    _, _, thread, post = scene
    await sign_up(client, "clicker")
    before = (await client.get(f"/t/{thread['id']}")).text  # the post's fragment is kept now
    assert f'<a class="reaction-add" href="/p/{post["id"]}/react">React' in before
    choices = (await client.get(f"/p/{post['id']}/react")).text  # all six, for a first reaction
    tada = re.search(r'<button name="emoji" value="tada".*?</button>', choices, re.S).group(0)
    assert 'aria-pressed="false"' in tada and "Celebrate" in tada
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', choices).group(1)
    done = await client.post(f"/p/{post['id']}/react", data={"emoji": "tada", "csrf_token": token})
    assert done.status_code == 303 and done.headers["location"].endswith(f"#post-{post['id']}")

    after = (await client.get(f"/t/{thread['id']}")).text
    pressed = re.search(rf'<button form="reaction-form" formaction="/p/{post["id"]}/react" name="emoji"'
                        r' value="tada".*?</button>', after, re.S).group(0)
    assert 'aria-pressed="true"' in pressed and '<span class="reaction-count">1</span>' in pressed
    assert re.search(r'role="tooltip" id="reactors-\d+-1">Celebrate: clicker</span>', after)

    # The button on the thread page itself takes it back, through the page's one reaction form.
    await client.post(f"/p/{post['id']}/react",
                      data={"emoji": "tada", "csrf_token": _reaction_form_token(after)})
    again = (await client.get(f"/t/{thread['id']}")).text
    assert "Celebrate: clicker" not in again


async def test_a_visitor_is_sent_to_log_in(client, scene):
    _, _, _, post = scene
    page = await client.get(f"/p/{post['id']}/react")
    assert page.status_code == 303 and page.headers["location"] == f"/login?next=/p/{post['id']}/react"


async def test_the_form_needs_its_csrf_token_and_a_known_emoji(client, scene):
    _, _, thread, post = scene
    await sign_up(client, "clicker")
    page = (await client.get(f"/t/{thread['id']}")).text
    assert (await client.post(f"/p/{post['id']}/react", data={"emoji": "tada"})).status_code == 403
    unknown = await client.post(f"/p/{post['id']}/react",
                                data={"emoji": "nope", "csrf_token": _reaction_form_token(page)})
    assert unknown.status_code == 400 and "Choose one of" in unknown.text


async def test_the_author_gets_one_notification_per_post_kept_current(client, forum, scene):
    author, fan, thread, post = scene
    second = await api_token(client, "second")
    third = await api_token(client, "third")
    for headers, emoji in [(fan, "+1"), (fan, "heart"), (second, "eyes"), (third, "+1")]:
        assert (await client.put(f"/api/v1/posts/{post['id']}/reactions/{emoji}",
                                 headers=headers)).status_code == 200
    author_id = (await users.by_username(forum.db, "author"))["id"]
    rows = await notifications.for_user(forum.db, author_id)
    reacted = [row for row in rows if row["kind"] == "reaction"]
    assert len(reacted) == 1 and reacted[0]["post_id"] == post["id"]
    listed = (await client.get("/api/v1/notifications", headers=author)).json()["notifications"]
    assert [n["kind"] for n in listed].count("reaction") == 1
    page = await client.get("/notifications", headers=author)
    assert "3 people reacted to your post" in page.text

    # Once read, the next reaction is news again.
    await client.post("/api/v1/notifications/read", headers=author, json={})
    fourth = await api_token(client, "fourth")
    await client.put(f"/api/v1/posts/{post['id']}/reactions/thanks", headers=fourth)
    rows = await notifications.for_user(forum.db, author_id)
    assert [row["kind"] for row in rows].count("reaction") == 2
    assert await notifications.unread_count(forum.db, author_id) == 1


async def test_a_second_page_sees_the_counts_change_live(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        author = await api_token(http, "author")
        fan = await api_token(http, "fan")
        thread = await start_thread(http, author)
        post = await reply(http, author, thread["id"], "React to me")
        reader = await LiveClient.open(live_server.ws_url)
        await reader.subscribe([f"thread:{thread['id']}"])
        assert (await http.put(f"/api/v1/posts/{post['id']}/reactions/heart", headers=fan)).status_code == 200
        # The reply's own post.created may come first: subscribing without `since` starts where
        # the hub stood, which can be before the reply was read from the log.
        async with asyncio.timeout(30):
            while not any(e["event"] == "post.reacted" for e in reader.events):
                await reader.receive()
        *before, event = reader.events
        assert [(e["event"], e["data"]["post_id"]) for e in before] in ([], [("post.created", post["id"])])
        assert event["event"] == "post.reacted" and event["channel"] == f"thread:{thread['id']}"
        assert event["data"]["post_id"] == post["id"] and event["data"]["by"] == "fan"
        assert event["data"]["reactions"] == [{"emoji": "heart", "count": 1, "users": ["fan"]}]
        assert 'Heart: fan' in event["data"]["reactions_html"]
        await http.delete(f"/api/v1/posts/{post['id']}/reactions/heart", headers=fan)
        taken_back = (await reader.receive_events(len(before) + 2))[-1]
        assert taken_back["data"]["reactions"] == [] and taken_back["data"]["added"] is False
        await reader.close()
