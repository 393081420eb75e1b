"""Tags: chosen when a thread starts or later, #tag in any post, tag pages, the API, moderators
renaming and merging, and tag pages kept current live."""

from __future__ import annotations

import httpx
import pytest

from forum.text import render_markdown
from tests.helpers import PASSWORD, api_token, make_member, reply, sign_up, start_thread, submit
from tests.live_helpers import LiveClient


def _hashtags(source: str) -> list[str]:
    found: list[str] = []
    render_markdown(source, hashtags=found)
    return found


def test_hashtags_link_to_their_page_but_not_inside_code_addresses_or_links():
    html = render_markdown("At #CoProduction13 with #Évaluation.")
    assert '<a href="/tags/coproduction13" rel="nofollow ugc noopener noreferrer">#CoProduction13</a>' in html
    assert '<a href="/tags/evaluation"' in html and ">#Évaluation</a>." in html
    assert _hashtags("At #CoProduction13 with #Évaluation.") == ["CoProduction13", "Évaluation"]
    for source in ("`#code`", "    #indented code", "https://example.org/page#part",
                   "www.example.org/#part", "[about #this](https://example.org)", "issue #12",
                   "page#part", "# A heading", "#" + "x" * 51):
        assert _hashtags(source) == [], source
        assert "/tags/" not in render_markdown(source), source


async def test_tags_chosen_in_the_form_and_written_in_the_text(client, forum):
    await sign_up(client, "amy")
    response = await submit(client, "/c/tools-methods/new", {
        "title": "Theory of change workshop", "body": "Notes from #CoProduction13 day two",
        "tags": "Évaluation, co-design", "categories": ["tools-methods"]}, "/c/tools-methods/new")
    assert response.status_code == 303, response.text
    thread_page = (await client.get(response.headers["location"])).text
    for name, key in (("Évaluation", "evaluation"), ("co-design", "co-design"),
                      ("CoProduction13", "coproduction13")):
        assert f'href="/tags/{key}">#{name}</a>' in thread_page
    # Matching folds accents and case; the tag is shown as first written.
    for path in ("/tags/evaluation", "/tags/EVALUATION", "/tags/%C3%A9valuation"):
        page = await client.get(path)
        assert page.status_code == 200 and "<h1>#Évaluation</h1>" in page.text
        assert "Theory of change workshop" in page.text
    assert (await client.get("/tags/nothing-here")).status_code == 404


async def test_a_hashtag_in_a_reply_or_an_edit_tags_the_thread(client):
    author = await api_token(client, "ben")
    thread = await start_thread(client, author, title="Peer support evaluation")
    await reply(client, author, thread["id"], "Also relevant to #peer-support")
    post = await reply(client, author, thread["id"], "plain words")
    edited = await client.patch(f"/api/v1/posts/{post['id']}", headers=author,
                                json={"body": "now about #CommunityHealth"})
    assert edited.status_code == 200, edited.text
    data = (await client.get(f"/api/v1/threads/{thread['id']}")).json()
    assert sorted(data["thread"]["tags"]) == ["CommunityHealth", "peer-support"]


async def test_the_api_takes_tags_and_refuses_bad_ones_clearly(client):
    author = await api_token(client, "cat")
    response = await client.post("/api/v1/threads", headers=author, json={
        "title": "Co-designed services", "body": "What worked", "categories": ["general-chat"],
        "tags": ["co-design", "Co-Design", "services"]})
    assert response.status_code == 201, response.text
    assert sorted(response.json()["tags"]) == ["co-design", "services"]
    for bad, words in ((["open data"], "not a tag"), (["x" * 200], "not a tag"), (["<b>hi</b>"], "not a tag"),
                       ([f"tag{i}" for i in range(11)], "at most 10"), ("notalist", "list of names"),
                       ([3], "list of names")):
        refused = await client.post("/api/v1/threads", headers=author, json={
            "title": "T", "body": "B", "categories": ["general-chat"], "tags": bad})
        assert refused.status_code == 400, bad
        assert words in refused.json()["error"]["fields"]["tags"], bad
    # The form says the same and keeps what was typed.
    await sign_up(client, "cat2")
    form = await submit(client, "/c/general-chat/new", {
        "title": "Kept", "body": "Kept body", "tags": "open data", "categories": ["general-chat"]},
        "/c/general-chat/new")
    assert form.status_code == 400 and "is not a tag" in form.text and 'value="open data"' in form.text


async def test_suggestions_by_prefix_with_thread_counts(client):
    author = await api_token(client, "dan")
    await start_thread(client, author, body="#evaluation and #Evaluative")
    await start_thread(client, author, body="more #evaluation")
    await start_thread(client, author, body="#events")
    answer = (await client.get("/api/v1/tags", params={"q": "ÉVAL"})).json()
    assert answer == {"tags": [{"name": "evaluation", "thread_count": 2},
                               {"name": "Evaluative", "thread_count": 1}]}
    assert (await client.get("/api/v1/tags", params={"q": "e_"})).json() == {"tags": []}
    assert (await client.get("/api/v1/tags")).json() == {"tags": []}


async def test_a_tags_threads_by_latest_activity_a_page_at_a_time(client, forum):
    author = await api_token(client, "eve")
    made = [await start_thread(client, author, title=f"Thread {i}", body="#paging") for i in range(33)]
    await reply(client, author, made[0]["id"], "bumps the oldest to the top")
    first = (await client.get("/api/v1/tags/paging/threads")).json()
    assert first["tag"] == {"name": "paging", "thread_count": 33}
    ids = [t["id"] for t in first["threads"]]
    assert ids[0] == made[0]["id"] and ids[1] == made[-1]["id"] and len(ids) == 30
    second = (await client.get("/api/v1/tags/paging/threads", params={"cursor": first["next_cursor"]})).json()
    assert [t["id"] for t in second["threads"]] == [m["id"] for m in made[3:0:-1]]
    assert second["next_cursor"] is None
    page = await client.get("/tags/paging", params={"cursor": first["next_cursor"]})
    assert "Thread 3" in page.text and "Thread 32" not in page.text
    assert (await client.get("/api/v1/tags/paging/threads", params={"cursor": "bad"})).status_code == 400


async def test_only_the_starter_or_a_moderator_changes_a_threads_tags(client, forum):
    author = await api_token(client, "fay")
    other = await api_token(client, "gus")
    await make_member(forum, "mod", role="moderator")
    moderator = await api_token(client, "mod", signup=False)
    thread = await start_thread(client, author, body="#first")
    path = f"/api/v1/threads/{thread['id']}/tags"
    assert (await client.put(path, headers=other, json={"tags": ["mine"]})).status_code == 403
    assert (await client.put(path, json={"tags": ["anon"]})).status_code == 401
    changed = await client.put(path, headers=author, json={"tags": ["second", "third"]})
    assert changed.status_code == 200 and changed.json() == {"tags": ["second", "third"]}
    by_mod = await client.put(path, headers=moderator, json={"tags": ["third"]})
    assert by_mod.json() == {"tags": ["third"]}
    assert (await client.get("/api/v1/tags/first/threads")).json()["threads"] == []
    # The page form, with its CSRF token, for the starter.
    await sign_up(client, "hal")
    token_page = await client.get(f"/t/{thread['id']}/tags")
    assert token_page.status_code == 403
    no_csrf = await client.post(f"/t/{thread['id']}/tags", data={"tags": "x"})
    assert no_csrf.status_code == 403


async def test_moderators_rename_and_merge_tags(client, other_client, forum):
    author = await api_token(client, "ivy")
    first = await start_thread(client, author, body="#coprod")
    second = await start_thread(client, author, body="#coproduction and #coprod")
    await make_member(forum, "mod", role="moderator")
    await sign_up(other_client, "jim")
    refused = await submit(other_client, "/tags/coprod/rename", {"name": "x"}, "/tags/coprod")
    assert refused.status_code == 403
    login = await submit(client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    assert login.status_code == 303
    page = (await client.get("/tags/coprod")).text
    assert "Rename" in page and "Merge" in page
    clash = await submit(client, "/tags/coprod/rename", {"name": "CoProduction"}, "/tags/coprod")
    assert clash.status_code == 400 and "merge into it instead" in clash.text
    renamed = await submit(client, "/tags/coprod/rename", {"name": "Co-Prod"}, "/tags/coprod")
    assert renamed.status_code == 303 and renamed.headers["location"] == "/tags/co-prod"
    old = await client.get("/tags/coprod")
    assert old.status_code == 301 and old.headers["location"] == "/tags/co-prod"
    merged = await submit(client, "/tags/co-prod/merge", {"into": "coproduction"}, "/tags/co-prod")
    assert merged.status_code == 303 and merged.headers["location"] == "/tags/coproduction"
    listing = (await client.get("/api/v1/tags/coproduction/threads")).json()
    assert sorted(t["id"] for t in listing["threads"]) == sorted([first["id"], second["id"]])
    assert listing["tag"]["thread_count"] == 2
    assert (await client.get("/tags/coprod")).headers["location"] == "/tags/coproduction"
    # A new #coprod now tags the merged tag.
    third = await start_thread(client, author, body="again #coprod")
    assert (await client.get(f"/api/v1/threads/{third['id']}")).json()["thread"]["tags"] == ["coproduction"]
    log = (await client.get("/mod")).text
    assert "#coprod to #Co-Prod" in log and "#Co-Prod into #coproduction" in log


async def test_an_open_tag_page_hears_of_a_new_tagged_thread(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        author = await api_token(http, "kim")
        await start_thread(http, author, body="#livetag first")
        page = (await http.get("/tags/livetag")).text
        assert 'data-live-channel="tag:livetag"' in page
        client = await LiveClient.open(live_server.ws_url)
        await client.subscribe(["tag:livetag"])
        await start_thread(http, author, title="Second one", body="Also #LiveTag")
        [event] = await client.receive_events(1)
        assert event["event"] == "thread.created" and "Second one" in event["data"]["html"]
        await client.close()
        nobody = await LiveClient.open(live_server.ws_url)
        await nobody.send({"type": "subscribe", "channels": ["tag:no-such-tag"]})
        frame = await nobody.receive()
        assert frame["type"] == "error" and frame["code"] == "unknown_channel"
        await nobody.close()


@pytest.mark.parametrize("path", ["/tags/evil%3Cscript%3E", "/tags/" + "a" * 60])
async def test_made_up_tag_paths_are_not_found(client, path):
    assert (await client.get(path)).status_code == 404
