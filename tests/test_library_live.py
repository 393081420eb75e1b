"""Open /library pages kept current: new items on the "library" channel, changed rows restated,
and a description hidden since never replayed."""

from __future__ import annotations

import httpx

from forum.actions import library as library_actions
from forum.actions import posts as post_actions
from forum.actions import tags as tag_actions
from forum.actions import threads as thread_actions
from forum.db import live_log, posts
from tests.helpers import api_token, make_member, reply, start_thread
from tests.live_helpers import LiveClient
from tests.test_cli import run_forum

CASE_STUDY = {"kind": "case_study", "title": "Peer mentors on a stroke ward",
              "body": "Former patients mentor new ones.", "categories": ["tools-methods"],
              "tags": ["peer-support"], "organisation": "Northfield Trust"}
RESOURCE = {"kind": "resource", "title": "A logic model template", "body": "Fill it in together.",
            "categories": ["evaluation-impact"], "link": "https://example.org/logic-model.docx"}


async def _add(http, headers, **fields):
    response = await http.post("/api/v1/library", headers=headers, json=fields)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_reader_of_the_library_hears_of_new_items_but_not_of_a_hidden_description(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        author = await api_token(http, "nia")
        await api_token(http, "moira")
        assert run_forum(live_server.database_url, "user", "role", "moira", "moderator").returncode == 0
        moderator = await api_token(http, "moira", signup=False)
        page = (await http.get("/library")).text
        assert 'data-live-channel="library"' in page and 'data-live-mode="insert"' in page

        reader = await LiveClient.open(live_server.ws_url)  # a visitor: library items are public
        subscribed = await reader.subscribe(["library"])
        await start_thread(http, author, title="Not a library item")
        item = await _add(http, author, **CASE_STUDY)
        [created] = await reader.receive_events(1)
        assert created["channel"] == "library" and created["event"] == "thread.created"
        data = created["data"]
        assert {k: data[k] for k in ("item_id", "thread_id", "kind", "tags", "channels", "title")} == {
            "item_id": item["id"], "thread_id": item["thread_id"], "kind": "case_study",
            "tags": ["peer-support"], "channels": ["tools-methods"], "title": "Peer mentors on a stroke ward"}
        assert f'id="library-item-{item["id"]}"' in data["html"]
        assert "Former patients mentor new ones." in data["html"] and "Northfield Trust" in data["html"]
        # The Feature button is in the fragment for the script to show moderators, without a token.
        assert "data-moderators-only hidden" in data["html"] and 'name="csrf_token" value=""' in data["html"]

        rude = await _add(http, author, **{**RESOURCE, "body": "Buy cheap pills at spam.example"})
        opening = (await http.get(f"/api/v1/threads/{rude['thread_id']}")).json()["posts"][0]["id"]
        hidden = await http.post(f"/api/v1/posts/{opening}/hide", headers=moderator, json={"reason": "Spam"})
        assert hidden.status_code == 200, hidden.text
        _, announced, updated = await reader.receive_events(3)
        assert announced["event"] == "thread.created" and announced["data"]["item_id"] == rude["id"]
        assert updated["event"] == "library.updated" and updated["data"]["item_id"] == rude["id"]
        assert "A logic model template" in updated["data"]["html"]
        assert "cheap pills" not in updated["data"]["html"]
        await reader.close()

        # A page opened before all this resumes from the log: both items, the hidden
        # description in none of it.
        late = await LiveClient.open(live_server.ws_url)
        await late.subscribe(["library"], since=subscribed["last_id"])
        replayed = await late.receive_events(3)
        assert [(e["event"], e["data"]["item_id"]) for e in replayed] == [
            ("thread.created", item["id"]), ("thread.created", rude["id"]), ("library.updated", rude["id"])]
        assert "cheap pills" not in str(replayed)
        assert "A logic model template" in replayed[1]["data"]["html"]
        await late.close()


async def test_changes_to_an_item_restate_its_row(forum):
    author = await make_member(forum, "ffion")
    moderator = await make_member(forum, "mod", role="moderator")
    item_id, thread_id = await library_actions.create_item(forum, author, dict(CASE_STUDY))
    opening = await posts.opening_post(forum.db, thread_id)
    await post_actions.edit(forum, author, opening["id"], "Mentors who were patients themselves.")
    await library_actions.update_item(forum, author, item_id, {"organisation": "Southfield Trust"})
    await tag_actions.set_thread_tags(forum, author, thread_id, ["mentoring"])
    await thread_actions.move(forum, moderator, thread_id, ["general-chat"])
    await library_actions.set_featured(forum, moderator, item_id, True)
    logged = [r for r in await live_log.after(forum.db, 0, ["library"])]
    assert [r["type"] for r in logged] == ["thread.created"] + ["library.updated"] * 5
    # Every event about the item, the first included, now shows the item as it stands.
    for row in logged:
        data = live_log.decode_data(row)
        assert data["tags"] == ["mentoring"] and data["channels"] == ["general-chat"] and data["featured"]
        assert "Mentors who were patients themselves." in data["html"] and "Southfield Trust" in data["html"]
        assert "Former patients" not in data["html"] and "Northfield" not in data["html"]
        assert "Stop featuring" in data["html"]
    # A thread that is no library item puts nothing on the channel.
    other = await thread_actions.create_thread(forum, author, "Plain", "Words #mentoring", ["general-chat"])
    await thread_actions.move(forum, moderator, other, ["tools-methods"])
    assert len(await live_log.after(forum.db, 0, ["library"])) == len(logged)


async def test_a_tag_written_in_a_reply_reaches_open_library_pages(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        author = await api_token(http, "nia")
        item = await _add(http, author, **CASE_STUDY)
        reader = await LiveClient.open(live_server.ws_url)
        await reader.subscribe(["library"])
        await reply(http, author, item["thread_id"], "We wrote up the results: #evaluation")
        # Subscribed without `since`, the reader may also hear the item's own thread.created,
        # logged just before (its process may have left it for its next read of the log).
        heard = await reader.receive_events(1)  # every event so far, once there is one
        while heard[-1]["event"] != "library.updated":
            heard = await reader.receive_events(len(heard) + 1)
        *earlier, updated = heard
        assert [(e["event"], e["data"]["item_id"]) for e in earlier] in ([], [("thread.created", item["id"])])
        assert updated["data"]["item_id"] == item["id"]
        assert sorted(updated["data"]["tags"]) == ["evaluation", "peer-support"]
        assert "#evaluation" in updated["data"]["html"]
        await reader.close()


async def test_only_a_tag_the_item_lacked_updates_it(forum):
    author = await make_member(forum, "ffion")
    item_id, thread_id = await library_actions.create_item(forum, author, dict(CASE_STUDY))
    first = await post_actions.reply(forum, author, thread_id, "More on #peer-support")  # carried
    assert len(await live_log.after(forum.db, 0, ["library"])) == 1  # its thread.created alone
    await post_actions.edit(forum, author, first["id"], "More on #peer-support and #mentoring")
    [_, updated] = await live_log.after(forum.db, 0, ["library"])
    assert updated["type"] == "library.updated"
    assert live_log.decode_data(updated)["tags"] == ["mentoring", "peer-support"]


async def test_the_page_inserts_only_where_a_new_item_sorts_first(client):
    author = await api_token(client, "gwen")
    await _add(client, author, **CASE_STUDY)

    async def mode(query: str) -> str | None:
        page = (await client.get("/library" + query)).text
        if 'data-live-channel="library"' not in page:
            return None
        return page.split('data-live-mode="', 1)[1].split('"', 1)[0]
    assert await mode("") == "insert"
    assert await mode("?kind=case_study&tag=peer-support&channel=tools-methods") == "insert"
    assert await mode("?sort=discussed") == "notice"
    assert await mode("?q=mentor") == "notice"
    assert await mode("?kind=nonsense") is None  # a refused query has nothing to keep current
    page = (await client.get("/library?kind=case_study&tag=Peer-Support")).text
    assert 'data-kind="case_study" data-tag="peer-support"' in page
    assert "forum-library" in page  # the page links its own script


