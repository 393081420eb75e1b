"""Searching private messages (`in:messages`, or `in=messages`): a member finds messages in the
conversations they are in now, and nobody else ever does, through the page or the API.

Who finds a message in a conversation, defined:
- a participant: yes, whatever their role, suspended or not (a suspended participant may
  still read the conversation, tests/test_authorization.py, so search shows them what they
  can read anyway);
- any other member, moderator or admin, suspended or not, and a visitor: no;
- a member who left: no, not even what they saw before leaving (nothing is the safe answer);
- a member blocked by a message's author: not that author's messages (the block says the
  author wants no more contact; the others' messages in the conversation still show)."""

from __future__ import annotations

import asyncio
import re

import pytest
from alembic import command

from forum.actions import blocks as block_actions
from forum.actions import conversations as conversation_actions
from forum.actions import threads as thread_actions
from forum.clock import utcnow
from forum.db import message_search, moderation, sessions, tables
from forum.db.engine import Database
from forum.db.migrate import alembic_config
from forum.search_query import parse
from tests.helpers import make_member
from tests.test_message_pages import log_in

SECRET = "Meet at the quokka enclosure on Tuesday"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def scene(forum):
    """ann wrote SECRET to ben and cat; everyone else in the table is outside it."""
    people = {name: await make_member(forum, name) for name in ("ann", "ben", "cat", "dan", "leaver",
                                                                 "blocked", "outcast", "dropout")}
    people["mod"] = await make_member(forum, "mod", role="moderator")
    people["root"] = await make_member(forum, "root", role="admin")
    conversation = await conversation_actions.start(
        forum, people["ann"], ["ben", "cat", "leaver", "blocked", "dropout"], "Zoo trip", SECRET)
    await conversation_actions.leave(forum, people["leaver"], conversation)
    await block_actions.block(forum, people["ann"], "blocked")
    await moderation.set_suspended(forum.db, people["outcast"].id, True)  # outside, suspended
    await moderation.set_suspended(forum.db, people["dropout"].id, True)  # inside, suspended
    return people, conversation


async def api_search(client, forum, member, **params):
    headers = bearer(await sessions.create_api_token(forum.db, member.id)) if member else {}
    return await client.get("/api/v1/search", params=params, headers=headers)


FINDS = {"ann": True, "ben": True, "cat": True, "dropout": True,
         "dan": False, "mod": False, "root": False, "outcast": False, "leaver": False, "blocked": False}


@pytest.mark.parametrize("who", sorted(FINDS))
async def test_only_participants_find_a_message_through_the_api(client, forum, scene, who):
    people, conversation = scene
    for params in ({"q": "quokka", "in": "messages"}, {"q": "quokka in:messages"}):
        response = await api_search(client, forum, people[who], **params)
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        if FINDS[who]:
            [found] = results
            assert found["kind"] == "message" and found["private"] is True
            assert found["conversation_id"] == conversation and found["author"] == "ann"
            assert found["title"] == "Zoo trip" and "<mark>quokka</mark>" in found["snippet"]
            at = found["message_id"]
            assert found["url"] == f"/messages/{conversation}?at={at}#message-{at}"
        else:
            assert results == []
            assert "quokka" not in response.text.replace("quokka in:messages", "")
            assert "Zoo trip" not in response.text and "enclosure" not in response.text


@pytest.mark.parametrize("who", sorted(FINDS))
async def test_only_participants_find_a_message_on_the_page(client, forum, scene, who):
    people, conversation = scene
    await log_in(client, who)
    page = await client.get("/search", params={"q": "quokka", "in": "messages"})
    assert page.status_code == 200
    if FINDS[who]:
        assert "Zoo trip" in page.text and "<mark>quokka</mark> enclosure" in page.text
        assert f'href="/messages/{conversation}?at=' in page.text and "Private message" in page.text
    else:
        assert "Nothing found" in page.text
        assert "Zoo trip" not in page.text and "enclosure" not in page.text
        assert f"/messages/{conversation}" not in page.text


async def test_a_visitor_is_asked_to_log_in(client, forum, scene):
    api = await api_search(client, forum, None, q="quokka", **{"in": "messages"})
    assert api.status_code == 401 and "quokka" not in api.text.replace("q=quokka", "")
    page = await client.get("/search", params={"q": "quokka", "in": "messages"})
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/search%3Fq%3Dquokka%26in%3Dmessages"
    typed = await client.get("/search", params={"q": "quokka in:messages"})
    assert typed.status_code == 303 and "enclosure" not in typed.text


async def test_forum_search_never_shows_messages(client, forum, scene):
    people, _ = scene
    thread = await thread_actions.create_thread(forum, people["dan"], "Quokka facts", "They smile.",
                                                ["general-chat"])
    for who in ("ann", "dan", None):
        response = await api_search(client, forum, people[who] if who else None, q="quokka")
        assert [(r["kind"], r["thread_id"]) for r in response.json()["results"]] == [("post", thread)]
        assert "enclosure" not in response.text and "Zoo trip" not in response.text


async def test_the_blocked_member_still_finds_the_others_messages(client, forum, scene):
    people, conversation = scene
    await conversation_actions.send(forum, people["ben"], conversation, "The quokka photos are up")
    seen = (await api_search(client, forum, people["blocked"], q="quokka", **{"in": "messages"})).json()
    assert [r["author"] for r in seen["results"]] == ["ben"]
    # the block is one way: ann still finds what the member she blocked wrote
    await block_actions.unblock(forum, people["ann"], "blocked")
    await conversation_actions.send(forum, people["blocked"], conversation, "Quokka hats for all")
    await block_actions.block(forum, people["ann"], "blocked")
    mine = (await api_search(client, forum, people["ann"], q="quokka", **{"in": "messages"})).json()
    assert [r["author"] for r in mine["results"]] == ["blocked", "ben", "ann"]


async def test_leaving_takes_everything_out_of_reach_at_once(client, forum, scene):
    people, conversation = scene
    before = await api_search(client, forum, people["cat"], q="quokka", **{"in": "messages"})
    assert before.json()["results"]
    await conversation_actions.leave(forum, people["cat"], conversation)
    after = await api_search(client, forum, people["cat"], q="quokka", **{"in": "messages"})
    assert after.json()["results"] == []


async def test_hostile_text_is_escaped_in_results(client, forum):
    ann = await make_member(forum, "ann")
    await make_member(forum, "ben")
    conversation = await conversation_actions.start(
        forum, ann, ["ben"], '<img src=x onerror="alert(1)">',
        'wombat <script>alert("x")</script> <img src=x onerror=alert(2)> & "quoted"')
    await log_in(client, "ben")
    page = (await client.get("/search", params={"q": "wombat", "in": "messages"})).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page  # the title, escaped
    api = (await client.get("/api/v1/search", params={"q": "wombat", "in": "messages"})).json()
    [result] = api["results"]
    assert "<script" not in result["snippet"] and "<img" not in result["snippet"]
    assert result["snippet"].startswith("<mark>wombat</mark>")
    assert result["title"] == '<img src=x onerror="alert(1)">'  # JSON carries text; pages escape it
    assert f"/messages/{conversation}" in page


async def test_results_page_newest_first_by_cursor(client, forum):
    ann = await make_member(forum, "ann")
    await make_member(forum, "ben")
    conversation = await conversation_actions.start(forum, ann, ["ben"], "", "numbat 0")
    ids = [(await conversation_actions.send(forum, ann, conversation, f"numbat {n}"))["id"]
           for n in range(1, 25)]
    headers = bearer(await sessions.create_api_token(forum.db, ann.id))
    first = (await client.get("/api/v1/search", headers=headers,
                              params={"q": "numbat", "in": "messages"})).json()
    assert [r["message_id"] for r in first["results"]] == ids[::-1][:20]
    assert first["results"][0]["title"] == "ben"  # untitled: named for the others in it
    second = (await client.get("/api/v1/search", headers=headers, params={
        "q": "numbat", "in": "messages", "cursor": first["next_cursor"]})).json()
    assert len(second["results"]) == 5 and second["next_cursor"] is None
    assert [r["message_id"] for r in second["results"]][:4] == ids[::-1][20:]
    bad = await client.get("/api/v1/search", headers=headers, params={
        "q": "numbat", "in": "messages", "cursor": "not-a-cursor"})
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]["fields"]
    await log_in(client, "ann")
    page = await client.get("/search", params={"q": "numbat", "in": "messages"})
    assert f"cursor={first['next_cursor']}" in page.text


async def test_filters_that_fit_messages(client, forum):
    ann = await make_member(forum, "ann")
    ben = await make_member(forum, "ben")
    conversation = await conversation_actions.start(forum, ann, ["ben"], "", "bilby from ann")
    await conversation_actions.send(forum, ben, conversation, "bilby from ben")
    headers = bearer(await sessions.create_api_token(forum.db, ann.id))
    by_ben = (await client.get("/api/v1/search", headers=headers,
                               params={"q": "bilby @ben in:messages"})).json()["results"]
    assert [r["author"] for r in by_ben] == ["ben"]
    readers = (await client.get("/api/v1/search", headers=headers,  # the index's own reader tokens
                                params={"q": f"r{ann.id} bilby", "in": "messages"})).json()["results"]
    assert readers == []
    channel = await client.get("/api/v1/search", headers=headers,
                               params={"q": "bilby", "in": "messages", "channel": "general-chat"})
    assert channel.status_code == 400 and "channel" in channel.json()["error"]["fields"]
    odd = await client.get("/api/v1/search", headers=headers, params={"q": "bilby", "in": "attic"})
    assert odd.status_code == 400 and "in" in odd.json()["error"]["fields"]


async def test_a_result_links_to_its_message_even_pages_back(client, forum):
    ann = await make_member(forum, "ann")
    await make_member(forum, "ben")
    conversation = await conversation_actions.start(forum, ann, ["ben"], "Long", "the potoroo question")
    for n in range(70):
        await conversation_actions.send(forum, ann, conversation, f"message {n}")
    await log_in(client, "ben")
    page = (await client.get("/search", params={"q": "potoroo", "in": "messages"})).text
    link = re.search(r'href="(/messages/\d+\?at=(\d+))#message-\d+"', page)
    assert link, page
    shown = (await client.get(link.group(1).replace("&amp;", "&"))).text
    assert f'id="message-{link.group(2)}"' in shown and "the potoroo question" in shown


async def test_the_messages_page_has_a_search_box_for_messages(client, forum):
    await make_member(forum, "ann")
    await log_in(client, "ann")
    page = (await client.get("/messages")).text
    forms = re.findall(r'<form[^>]*action="/search"[^>]*>.*?</form>', page, re.S)
    assert [f for f in forms if 'name="in" value="messages"' in f and 'name="q"' in f]


async def test_a_signed_in_member_can_choose_messages_on_the_search_page(client, forum):
    assert 'value="messages"' not in (await client.get("/search")).text  # visitors have none
    await make_member(forum, "ann")
    await log_in(client, "ann")
    assert 'name="in" value="messages"' in (await client.get("/search")).text


async def test_the_migration_indexes_messages_written_before_it(database_url):
    """0026 backfills: text messages written under 0025 are found after upgrading."""
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0025")
    db = Database(database_url)
    await db.connect()
    try:
        now = utcnow()
        await db.execute(tables.users.insert().values(
            id=1, username="ann", username_key="ann", display_name="ann", password_hash="x", created_at=now))
        await db.execute(tables.conversations.insert().values(
            id=1, title="", created_by=1, created_at=now, last_message_at=now))
        await db.execute(tables.conversation_members.insert().values(conversation_id=1, user_id=1))
        await db.execute_many(tables.messages.insert(), [
            {"id": 1, "conversation_id": 1, "author_id": 1, "kind": "text", "body": "an old dunnart",
             "html": "<p>an old dunnart</p>", "created_at": now},
            {"id": 2, "conversation_id": 1, "author_id": 1, "kind": "left", "body": "", "html": "",
             "created_at": now}])
    finally:
        await db.disconnect()
        await asyncio.to_thread(command.upgrade, config, "head")
    await db.connect()
    try:
        rows, _ = await message_search.search(db, parse("dunnart"), member_id=1)
        assert [row["id"] for row in rows] == [1]
    finally:
        await db.disconnect()
