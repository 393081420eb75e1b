"""Notifications: replies to you, mentions, moderators acting on your posts; counted in the
header, listed at /notifications, live on your own channel, marked read one by one or all."""

from __future__ import annotations

import httpx

from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.db import notifications, posts
from tests.helpers import PASSWORD, api_token, make_member, reply, start_thread, submit
from tests.live_helpers import LiveClient, session_cookie


async def test_replies_and_mentions_notify_and_mentions_link(client, forum):
    ann = await make_member(forum, "ann_w")
    ben = await make_member(forum, "ben_t")
    cat = await make_member(forum, "cat_s")
    thread = await thread_actions.create_thread(forum, ann, "Surveys", "Which tool?", ["general-chat"])
    post = await post_actions.reply(forum, ben, thread, "Ask @CAT_S, and mail x@example.org, @nobody")
    post_id = post["id"]
    html = (await posts.by_id(forum.db, post_id))["html"]
    assert '<a href="/u/cat_s"' in html and "@nobody" in html and "/u/nobody" not in html
    ann_items = await notifications.for_user(forum.db, ann.id)
    assert [(n["kind"], n["actor_username"]) for n in ann_items] == [("reply", "ben_t")]
    cat_items = await notifications.for_user(forum.db, cat.id)
    assert [(n["kind"], n["post_id"]) for n in cat_items] == [("mention", post_id)]
    await post_actions.reply(forum, ann, thread, "Answering myself")  # no self-notification
    assert len(await notifications.for_user(forum.db, ann.id)) == 1


async def test_moderator_actions_on_your_posts_notify_you(forum):
    author = await make_member(forum, "dai")
    moderator = await make_member(forum, "mod", role="moderator")
    thread = await thread_actions.create_thread(forum, author, "T", "Opening", ["general-chat"])
    post_id = (await post_actions.reply(forum, author, thread, "Words"))["id"]
    await moderation_actions.hide_post(forum, moderator, post_id, "Off topic")
    await moderation_actions.restore_post(forum, moderator, post_id)
    await post_actions.edit(forum, moderator, post_id, "Tidied")
    notes = [n["note"] for n in await notifications.for_user(forum.db, author.id)]
    assert notes == ["edited your post", "restored your post", "hid your post (Off topic)"]


async def test_the_page_the_header_and_marking_read(client, forum):
    ann = await make_member(forum, "ann_w")
    ben = await make_member(forum, "ben_t")
    thread = await thread_actions.create_thread(forum, ann, "Evaluation", "Opening", ["general-chat"])
    for i in range(3):
        await post_actions.reply(forum, ben, thread, f"Reply {i}")
    await submit(client, "/login", {"username": "ann_w", "password": PASSWORD}, "/login")
    home = (await client.get("/")).text
    assert 'class="notification-count">3<' in home
    page = await client.get("/notifications")
    assert page.status_code == 200 and page.text.count("replied to your post in “Evaluation”") == 3
    first = (await notifications.for_user(forum.db, ann.id))[0]
    await submit(client, "/notifications/read", {"id": str(first["id"])}, "/notifications")
    assert 'class="notification-count">2<' in (await client.get("/")).text
    await submit(client, "/notifications/read", {}, "/notifications")
    assert "notification-count" not in (await client.get("/")).text
    await submit(client, "/logout", {})
    assert (await client.get("/notifications")).headers["location"].startswith("/login")


async def test_the_api(client, forum):
    author = await api_token(client, "eve_r")
    other = await api_token(client, "fin_o")
    thread = await start_thread(client, author)
    await reply(client, other, thread["id"], "Hello @eve_r")
    listed = (await client.get("/api/v1/notifications", headers=author)).json()
    assert listed["unread"] == 1 and listed["notifications"][0]["kind"] == "reply"
    item = listed["notifications"][0]
    assert set(item) >= {"id", "kind", "read", "created_at", "thread_id", "post_id", "actor"}
    assert item["actor"] == "fin_o" and item["read"] is False
    bad = await client.post("/api/v1/notifications/read", headers=author, json={"ids": "all"})
    assert bad.status_code == 400 and "ids" in bad.json()["error"]["fields"]
    # Marking someone else's notification does nothing to it.
    await client.post("/api/v1/notifications/read", headers=other, json={"ids": [item["id"]]})
    assert (await client.get("/api/v1/notifications", headers=author)).json()["unread"] == 1
    done = await client.post("/api/v1/notifications/read", headers=author, json={"ids": [item["id"]]})
    assert done.json()["unread"] == 0
    assert (await client.get("/api/v1/notifications")).status_code == 401


async def test_notifications_arrive_live_on_your_own_channel_only(live_server):
    cookie = await session_cookie(live_server.base_url, "gwen_l")
    async with httpx.AsyncClient(base_url=live_server.base_url) as http:
        me = await http.get("/api/v1/me", headers={"Cookie": cookie})
        my_id = me.json()["id"]
        replier = await api_token(http, "huw_p")
        mine = await LiveClient.open(live_server.ws_url, cookie=cookie)
        await mine.subscribe([f"user:{my_id}"])
        snoop = await LiveClient.open(live_server.ws_url)
        await snoop.send({"type": "subscribe", "channels": [f"user:{my_id}"]})
        assert (await snoop.receive_type("error"))["code"] == "forbidden"
        other = await LiveClient.open(
            live_server.ws_url, cookie=await session_cookie(live_server.base_url, "ifan")
        )
        await other.send({"type": "subscribe", "channels": [f"user:{my_id}"]})
        assert (await other.receive_type("error"))["code"] == "forbidden"
        thread = await start_thread(http, replier, title="Mentions")
        await reply(http, replier, thread["id"], "What do you think, @gwen_l?")
        [event] = await mine.receive_events(1)
        assert event["event"] == "notification.created" and event["data"]["kind"] == "mention"
        assert event["data"]["unread"] == 1 and "mentioned you" in event["data"]["text"]
        for c in (mine, snoop, other):
            await c.close()


async def test_notifications_come_a_page_at_a_time_newest_first(client, forum):
    member = await make_member(forum, "pager")
    for n in range(notifications.PER_PAGE + 5):
        await notifications.add(forum.db, user_id=member.id, kind="mention", actor_id=None, note=f"n{n}")
    headers = await api_token(client, "pager", signup=False)
    first = (await client.get("/api/v1/notifications", headers=headers)).json()
    assert len(first["notifications"]) == notifications.PER_PAGE and first["next_cursor"]
    second = (await client.get("/api/v1/notifications", headers=headers,
                               params={"cursor": first["next_cursor"]})).json()
    assert [n["note"] for n in second["notifications"]] == [f"n{n}" for n in range(4, -1, -1)]
    assert second["next_cursor"] is None and second["unread"] == notifications.PER_PAGE + 5
    await submit(client, "/login", {"username": "pager", "password": PASSWORD}, "/login")
    page = await client.get("/notifications")
    assert f'href="/notifications?cursor={first["next_cursor"]}"' in page.text
    older = await client.get("/notifications", params={"cursor": first["next_cursor"]})
    assert older.status_code == 200 and older.text.count('<li class="notification') == 5
    assert 'rel="next"' not in older.text


BAD_CURSORS = ["nonsense", "W10", "WyJ4Il0", "WzIxNDc0ODM2NDhd", "WzAuNV0", "WzFd" + "%00"]


async def test_a_bad_notifications_cursor_is_a_400_as_on_every_other_list(client, forum):
    """It was ignored: the first page came back as if the cursor had been good."""
    await make_member(forum, "curse")
    headers = await api_token(client, "curse", signup=False)
    await submit(client, "/login", {"username": "curse", "password": PASSWORD}, "/login")
    for cursor in BAD_CURSORS:  # not base64 JSON; [], ["x"], [2**31], [0.5]
        api = await client.get("/api/v1/notifications", headers=headers, params={"cursor": cursor})
        assert api.status_code == 400 and "cursor" in api.json()["error"]["fields"], (cursor, api.text)
        page = await client.get("/notifications", params={"cursor": cursor})
        assert page.status_code == 400 and "cursor" in page.text, cursor
