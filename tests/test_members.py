"""Profiles, editing your own, the member directory, the new-member badge, who is online."""

from __future__ import annotations

from datetime import timedelta

import httpx

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.clock import utcnow
from forum.db import users
from tests.helpers import api_token, make_member, sign_up, submit
from tests.live_helpers import LiveClient, session_cookie


async def test_edit_your_own_profile(client, other_client, forum):
    await sign_up(client, "ffion", display_name="Ffion")
    form = await client.get("/u/ffion/edit")
    assert form.status_code == 200 and "Organisation" in form.text
    saved = await submit(
        client,
        "/u/ffion/edit",
        {
            "display_name": "Ffion Hughes",
            "organisation": "Cwm Community Trust",
            "location": "Aberystwyth",
            "bio": "Evaluation lead. Diolch!",
        },
        "/u/ffion/edit",
    )
    assert saved.status_code == 303
    profile = (await client.get("/u/ffion")).text
    for text in ("Ffion Hughes", "Cwm Community Trust", "Aberystwyth", "Evaluation lead. Diolch!"):
        assert text in profile
    too_long = await submit(
        client,
        "/u/ffion/edit",
        {"display_name": "F", "organisation": "x" * 121, "location": "", "bio": "kept"},
        "/u/ffion/edit",
    )
    assert (
        too_long.status_code == 400
        and "Keep it to 120 characters" in too_long.text
        and "kept" in too_long.text
    )
    await sign_up(other_client, "gareth")
    assert (await other_client.get("/u/ffion/edit")).status_code == 403
    denied = await submit(other_client, "/u/ffion/edit", {"display_name": "Hacked"}, "/")
    assert denied.status_code == 403


async def test_profile_api(client):
    headers = await api_token(client, "hywel")
    changed = await client.patch(
        "/api/v1/me", headers=headers, json={"organisation": "Council", "location": "Bangor"}
    )
    assert changed.status_code == 200 and changed.json()["organisation"] == "Council"
    bad = await client.patch("/api/v1/me", headers=headers, json={"bio": "x" * 2001})
    assert bad.status_code == 400 and "bio" in bad.json()["error"]["fields"]
    assert (await client.get("/api/v1/users/hywel")).json()["location"] == "Bangor"


async def test_directory_searches_sorts_and_pages(client, forum):
    for i in range(35):
        await make_member(forum, f"member{i:02d}")
    rhian = await make_member(forum, "rhian")
    await users.update_profile(forum.db, rhian.id, organisation="Valleys Carers Trust")
    thread = await thread_actions.create_thread(forum, rhian, "Hello", "Body", ["welcome"])
    quiet = await make_member(forum, "quiet_one")
    first = (await client.get("/api/v1/users", params={"sort": "joined"})).json()
    assert first["users"][0]["username"] == "quiet_one" and len(first["users"]) == 30
    second = (
        await client.get("/api/v1/users", params={"sort": "joined", "cursor": first["next_cursor"]})
    ).json()
    names = [u["username"] for u in first["users"] + second["users"]]
    assert len(names) == len(set(names)) == 37 and second["next_cursor"] is None
    found = (await client.get("/api/v1/users", params={"q": "carers"})).json()["users"]
    assert [u["username"] for u in found] == ["rhian"]
    active = (await client.get("/api/v1/users", params={"sort": "active"})).json()["users"]
    assert [u["username"] for u in active] == ["rhian"] and active[0]["post_count"] == 1
    await post_actions.reply(forum, quiet, thread, "Finally saying something")
    active = (await client.get("/api/v1/users", params={"sort": "active"})).json()["users"]
    assert [u["username"] for u in active] == ["quiet_one", "rhian"]
    page = await client.get("/members", params={"q": "valleys"})
    assert page.status_code == 200 and "Valleys Carers Trust" in page.text and "member01" not in page.text
    by_name = (await client.get("/api/v1/users", params={"sort": "name"})).json()["users"]
    assert by_name[0]["username"] == "member00"
    assert (await client.get("/api/v1/users", params={"sort": "shoe size"})).status_code == 400


async def test_posts_from_a_members_first_week_carry_a_badge(client, forum):
    newcomer = await make_member(forum, "newbie")
    veteran = await make_member(forum, "veteran")
    await forum.db.execute(
        users.users.update()
        .where(users.users.c.id == veteran.id)
        .values(created_at=utcnow() - timedelta(days=30))
    )
    thread = await thread_actions.create_thread(forum, veteran, "Old hand", "Welcome all", ["welcome"])
    reply_id = (await post_actions.reply(forum, newcomer, thread, "Hello, I am new"))["id"]
    page = (await client.get(f"/t/{thread}")).text
    assert page.count("New member") == 1
    newcomer_article = page[page.index(f'id="post-{reply_id}"') :]
    assert "New member" in newcomer_article  # on the newcomer's post, not the veteran's


async def test_home_shows_the_member_count_and_who_is_online(live_server):
    cookie = await session_cookie(live_server.base_url, "onlinenow", "Olwen Online")
    client = await LiveClient.open(live_server.ws_url, cookie=cookie)
    await client.subscribe(["site"])
    async with httpx.AsyncClient(base_url=live_server.base_url) as visitor:
        home = (await visitor.get("/")).text
    assert "1 member " in home and "Online now" in home and "Olwen Online" in home
    await client.close()


async def test_the_directory_finds_a_username_typed_in_full_underscores_and_all(client, forum):
    await make_member(forum, "priya_shah")
    await make_member(forum, "priyashah")
    await make_member(forum, "priya50")

    async def found(q: str) -> list[str]:
        response = await client.get("/api/v1/users", params={"q": q, "sort": "name"})
        return [u["username"] for u in response.json()["users"]]

    assert await found("priya_shah") == ["priya_shah"]
    assert await found("priya_") == ["priya_shah"]  # "_" is a character here, not a wildcard
    assert await found("a5") == ["priya50"]
    assert await found("50%") == []  # nor is "%"
