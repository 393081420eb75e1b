"""The library: resources and case studies as threads with fields, browsed and filtered at
/library and through the API, added with the form (a file too) or the API, featured by
moderators; hostile input refused clearly or shown as text."""

from __future__ import annotations

import re

from forum.db import search
from tests.conftest import make_client
from tests.helpers import PASSWORD, api_token, make_member, reply, sign_up, submit

CASE_STUDY = {"kind": "case_study", "title": "Co-designed discharge planning",
              "body": "How a ward and its patients planned discharge together.",
              "categories": ["tools-methods"], "tags": ["co-design", "coproduction13"],
              "organisation": "Riverside Health Trust", "location": "Dundee",
              "what_was_done": "Six workshops with patients and staff.",
              "outcomes": "Readmissions fell by a fifth.", "contact": "team@example.org"}
RESOURCE = {"kind": "resource", "title": "Evaluation framework for peer support",
            "body": "A short framework.", "categories": ["evaluation-impact"], "tags": ["evaluation"],
            "link": "https://example.org/framework.pdf", "resource_type": "guide", "year": 2024,
            "organisation": "Peer Network"}


async def _add(client, headers, **fields):
    response = await client.post("/api/v1/library", headers=headers, json=fields)
    assert response.status_code == 201, response.text
    return response.json()


async def test_items_are_threads_with_fields_listed_and_filtered(client):
    author = await api_token(client, "amy")
    case = await _add(client, author, **CASE_STUDY)
    resource = await _add(client, author, **RESOURCE)
    thread_page = (await client.get(f"/t/{case['thread_id']}")).text
    for words in ("Case study", "Riverside Health Trust", "Six workshops with patients and staff.",
                  "Readmissions fell by a fifth.", 'href="/tags/coproduction13"'):
        assert words in thread_page
    items = (await client.get("/api/v1/library")).json()["items"]
    assert [i["id"] for i in items] == [resource["id"], case["id"]]
    assert items[1] == {**items[1], "kind": "case_study", "thread_id": case["thread_id"],
                        "organisation": "Riverside Health Trust", "location": "Dundee",
                        "tags": ["co-design", "coproduction13"],
                        "summary": "How a ward and its patients planned discharge together."}
    assert items[0]["link"] == "https://example.org/framework.pdf" and items[0]["resource_type"] == "guide"

    async def ids(**params):
        answer = await client.get("/api/v1/library", params=params)
        assert answer.status_code == 200, answer.text
        return [i["id"] for i in answer.json()["items"]]
    assert await ids(kind="case_study") == [case["id"]]
    assert await ids(tag="Evaluation") == [resource["id"]]
    assert await ids(channel="tools-methods") == [case["id"]]
    assert await ids(q="readmissions") == [case["id"]]  # a field's words, through the search index
    assert await ids(q="riverside workshops") == [case["id"]]
    await reply(client, author, case["thread_id"], "Thank you")
    assert await ids(sort="discussed") == [case["id"], resource["id"]]
    page = (await client.get("/library", params={"kind": "resource"})).text
    assert "Evaluation framework for peer support" in page and "Co-designed discharge" not in page
    assert "1 reply" in (await client.get("/library")).text


async def test_the_library_pages_by_cursor(client):
    author = await api_token(client, "ben")
    made = [await _add(client, author, **{**RESOURCE, "title": f"Guide {n}"}) for n in range(23)]
    first = (await client.get("/api/v1/library")).json()
    second = (await client.get("/api/v1/library", params={"cursor": first["next_cursor"]})).json()
    assert [i["id"] for i in first["items"] + second["items"]] == [m["id"] for m in reversed(made)]
    assert second["next_cursor"] is None
    page = (await client.get("/library")).text
    assert re.search(r'href="\?cursor=[\w-]+" rel="next"', page)
    for bad in ({"cursor": "nonsense"}, {"kind": "poem"}, {"sort": "random"}, {"tag": "no-such"},
                {"channel": "nowhere"}):
        assert (await client.get("/api/v1/library", params=bad)).status_code == 400, bad
        assert (await client.get("/library", params=bad)).status_code == 400, bad


async def test_bad_input_gets_clear_errors(client):
    author = await api_token(client, "cat")
    cases = [
        ({"link": "javascript:alert(1)"}, "link", "https://"),
        ({"link": "ftp://example.org/x"}, "link", "https://"),
        ({"link": "https://exa mple.org"}, "link", "https://"),
        ({"link": ""}, "link", "needs a web address or a file"),
        ({"kind": "poem"}, "kind", "resource or a case study"),
        ({"tags": ["open data"]}, "tags", "not a tag"),
        ({"tags": ["x" * 200]}, "tags", "not a tag"),
        ({"year": 1492}, "year", "from 1900"),
        ({"resource_type": "poster"}, "resource_type", "toolkit"),
        ({"resource_type": {}}, "resource_type", "toolkit"),
        ({"kind": ["resource"]}, "kind", "resource or a case study"),
        ({"upload_id": 999}, "upload_id", "upload the file first"),
        ({"organisation": "o" * 121}, "organisation", "120"),
        ({"title": ""}, "title", "title"),
    ]
    for change, field, words in cases:
        refused = await client.post("/api/v1/library", headers=author, json={**RESOURCE, **change})
        assert refused.status_code == 400, change
        assert words in refused.json()["error"]["fields"][field], (change, refused.text)
    assert (await client.get("/api/v1/library")).json()["items"] == []
    # Another member's upload is not theirs to publish.
    other = await api_token(client, "dan")
    upload = await client.post("/api/v1/uploads", headers=other,
                               files={"file": ("plan.txt", b"A plan.\n", "text/plain")})
    assert upload.status_code == 201, upload.text
    taken = await client.post("/api/v1/library", headers=author,
                              json={**RESOURCE, "link": "", "upload_id": upload.json()["id"]})
    assert taken.status_code == 400 and "upload_id" in taken.json()["error"]["fields"]


async def test_hostile_text_in_every_field_shows_as_text(client):
    author = await api_token(client, "eve")
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    case = await _add(client, author, **{**CASE_STUDY, **{f: hostile for f in (
        "title", "body", "organisation", "location", "what_was_done", "outcomes", "contact")}})
    for path in (f"/t/{case['thread_id']}", "/library"):
        page = (await client.get(path)).text
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


async def test_the_form_adds_a_case_study_with_a_file_without_javascript(client):
    await sign_up(client, "fay")
    form_page = await client.get("/library/new")
    assert form_page.status_code == 200 and 'type="file"' in form_page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form_page.text).group(1)
    fields = {**{k: v for k, v in CASE_STUDY.items() if k not in ("categories", "tags")},
              "tags": "co-design, Évaluation", "categories": "tools-methods", "csrf_token": token}
    refused = await client.post("/library/new", data={**fields, "link": "javascript:x"},
                                files={"file": ("plan.txt", b"Our plan.\n", "text/plain")})
    assert refused.status_code == 400 and "https://" in refused.text
    kept = re.search(r'name="upload_id" value="(\d+)"', refused.text)
    assert kept and "Six workshops with patients and staff." in refused.text
    added = await client.post("/library/new", data={**fields, "upload_id": kept.group(1)})
    assert added.status_code == 303, added.text
    page = (await client.get(added.headers["location"])).text
    assert "plan.txt" in page and "Riverside Health Trust" in page
    [item] = (await client.get("/api/v1/library", params={"tag": "evaluation"})).json()["items"]
    assert item["upload"]["name"] == "plan.txt" and item["tags"] == ["co-design", "Évaluation"]
    no_csrf = await client.post("/library/new", data={**fields, "csrf_token": ""})
    assert no_csrf.status_code == 403
    assert (await client.get("/library/new", follow_redirects=False)).status_code == 200


async def test_moderators_feature_items_at_the_top(client, other_client, forum):
    author = await api_token(client, "gus")
    featured = await _add(client, author, **CASE_STUDY)
    await _add(client, author, **RESOURCE)
    await sign_up(other_client, "hal")
    refused = await submit(other_client, f"/library/{featured['id']}/feature", {}, "/library")
    assert refused.status_code == 403
    await make_member(forum, "mod", role="moderator")
    login = await submit(client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    assert login.status_code == 303
    done = await submit(client, f"/library/{featured['id']}/feature", {}, "/library")
    assert done.status_code == 303
    page = (await client.get("/library")).text
    featured_part = page.split('id="featured-heading"')[1].split('id="items-heading"')[0]
    assert "Co-designed discharge planning" in featured_part and "Evaluation framework" not in featured_part
    assert (await client.get("/api/v1/library")).json()["items"][1]["featured"] is True
    assert (await submit(client, "/library/99999/feature", {}, "/library")).status_code == 404


async def test_search_finds_items_by_their_fields_and_filters_by_tag(client):
    author = await api_token(client, "ivy")
    case = await _add(client, author, **CASE_STUDY)
    other = await client.post("/api/v1/threads", headers=author, json={
        "title": "Readmissions data", "body": "Readmissions in winter #winter",
        "categories": ["general-chat"]})
    assert other.status_code == 201

    async def found(**params):
        answer = await client.get("/api/v1/search", params=params)
        assert answer.status_code == 200, answer.text
        return [r["thread_id"] for r in answer.json()["results"]]
    assert sorted(await found(q="readmissions")) == sorted([case["thread_id"], other.json()["id"]])
    assert await found(q="readmissions", tag="Co-Design") == [case["thread_id"]]
    assert await found(q="readmissions", tag="#winter") == [other.json()["id"]]
    assert await found(q="riverside dundee") == [case["thread_id"]]
    refused = await client.get("/api/v1/search", params={"q": "readmissions", "tag": "no-such"})
    assert refused.status_code == 400 and "tag" in refused.json()["error"]["fields"]
    page = await client.get("/search", params={"q": "readmissions", "tag": "co-design"})
    assert "Co-designed discharge planning" in page.text and "Readmissions data" not in page.text
    # Editing the description keeps the item findable by its fields.
    post_id = (await client.get(f"/api/v1/threads/{case['thread_id']}")).json()["posts"][0]["id"]
    edited = await client.patch(f"/api/v1/posts/{post_id}", headers=author, json={"body": "New words"})
    assert edited.status_code == 200
    assert await found(q="riverside") == [case["thread_id"]]


async def test_a_file_named_in_the_message_is_the_items_file(client):
    """As the composer's script attaches one: uploaded first, its Markdown in the message."""
    author = await api_token(client, "jay")
    upload = (await client.post("/api/v1/uploads", headers=author,
                                files={"file": ("toolkit.txt", b"Steps.\n", "text/plain")})).json()
    item = await _add(client, author, **{**RESOURCE, "link": "",
                                         "body": f"Our toolkit: [toolkit.txt]({upload['url']})"})
    [listed] = (await client.get("/api/v1/library")).json()["items"]
    assert listed["id"] == item["id"] and listed["upload"]["url"] == upload["url"]


async def test_the_author_or_a_moderator_edits_an_items_fields(client, other_client, app, forum):
    await sign_up(client, "kay")
    added = await submit(client, "/library/new", {**{k: v for k, v in CASE_STUDY.items() if k != "tags"},
                                                  "tags": "co-design"}, "/library/new")
    assert added.status_code == 303
    [item] = (await client.get("/api/v1/library")).json()["items"]
    path = f"/library/{item['id']}/edit"
    assert "Edit these details" in (await client.get(added.headers["location"])).text
    form = (await client.get(path)).text
    assert 'value="Riverside Health Trust"' in form
    refused = await submit(client, path, {"organisation": "Riverside", "link": "javascript:x"}, path)
    assert refused.status_code == 400 and "https://" in refused.text and 'value="Riverside"' in refused.text
    saved = await submit(client, path, {"organisation": "Tayside Partnership", "location": "Perth",
                                        "outcomes": "Shorter stays"}, path)
    assert saved.status_code == 303
    [item] = (await client.get("/api/v1/library")).json()["items"]
    assert (item["organisation"], item["location"], item["outcomes"]) == ("Tayside Partnership", "Perth",
                                                                          "Shorter stays")
    assert "what_was_done" not in item  # emptied
    found = (await client.get("/api/v1/search", params={"q": "tayside"})).json()["results"]
    assert [r["thread_id"] for r in found] == [item["thread_id"]]
    assert (await client.get("/api/v1/search", params={"q": "riverside"})).json()["results"] == []
    # Nobody else but a moderator.
    await sign_up(other_client, "lee")
    assert (await other_client.get(path)).status_code == 403
    assert (await submit(other_client, path, {"organisation": "Mine"}, "/")).status_code == 403
    assert (await client.post(path, data={"organisation": "No token"})).status_code == 403
    await make_member(forum, "mod", role="moderator")
    async with make_client(app) as moderator:
        assert (await submit(moderator, "/login", {"username": "mod", "password": PASSWORD},
                             "/login")).status_code == 303
        assert (await submit(moderator, path, {"organisation": "By a moderator"}, path)).status_code == 303
    [item] = (await client.get("/api/v1/library")).json()["items"]
    assert item["organisation"] == "By a moderator"


async def test_a_hidden_or_deleted_description_is_not_summarised(client, forum):
    author = await api_token(client, "max")
    await make_member(forum, "mod", role="moderator")
    moderator = await api_token(client, "mod", signup=False)
    item = await _add(client, author, **{**CASE_STUDY, "body": "Rude words here"})
    opening = (await client.get(f"/api/v1/threads/{item['thread_id']}")).json()["posts"][0]["id"]
    hidden = await client.post(f"/api/v1/posts/{opening}/hide", headers=moderator, json={"reason": "Rude"})
    assert hidden.status_code == 200, hidden.text
    [listed] = (await client.get("/api/v1/library")).json()["items"]
    assert listed["summary"] == ""
    assert "Rude words" not in (await client.get("/library")).text


async def test_a_rebuilt_search_index_still_finds_items_by_their_fields(client, forum):
    author = await api_token(client, "ned")
    item = await _add(client, author, **CASE_STUDY)
    await search.rebuild_index(forum.db)
    for words in ("riverside", "readmissions", "dundee", "workshops"):
        found = (await client.get("/api/v1/search", params={"q": words})).json()["results"]
        assert [r["thread_id"] for r in found] == [item["thread_id"]], words
