"""Search on SQLite (FTS5) and PostgreSQL (tsvector): ranking, snippets, filters, the index
following every change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.clock import utcnow
from forum.search_query import QueryError, parse, snippet
from tests.helpers import api_token, make_member


@pytest.fixture
async def people(forum):
    return {name: await make_member(forum, name) for name in ("rhian", "eilidh", "tom")}


async def search(client, **params):
    response = await client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def test_title_matches_rank_above_body_matches(client, forum, people):
    body_thread = await thread_actions.create_thread(
        forum, people["tom"], "Reporting season", "We measure wellbeing every quarter.", ["general-chat"])
    title_thread = await thread_actions.create_thread(
        forum, people["rhian"], "Wellbeing scales compared", "Which one do you use?", ["tools-methods"])
    results = await search(client, q="wellbeing")
    assert [r["thread_id"] for r in results] == [title_thread, body_thread]
    first = results[0]
    assert first["title"] == "Wellbeing scales compared" and first["author"] == "rhian"
    assert first["channel"] == "tools-methods" and first["created_at"]
    assert "<mark>wellbeing</mark>" in results[1]["snippet"]


async def test_snippets_are_escaped_then_marked(client, forum, people):
    await thread_actions.create_thread(forum, people["tom"], "Scripts",
                                       "Never run <script>alert(1)</script> from a survey tool",
                                       ["general-chat"])
    [result] = await search(client, q="survey")
    assert "<script>" not in result["snippet"]
    assert "&lt;script&gt;" in result["snippet"] and "<mark>survey</mark>" in result["snippet"]


async def test_snippets_read_as_the_post_reads(client, forum, people):
    await thread_actions.create_thread(
        forum, people["tom"], "Reporting",
        "We track **outcomes** with [the outcomes star](https://example.org/star) & a _diary_.",
        ["general-chat"])
    [result] = await search(client, q="outcomes")
    assert result["snippet"] == ("We track <mark>outcomes</mark> with the <mark>outcomes</mark> star"
                                 " &amp; a diary.")
    page = await client.get("/search", params={"q": "outcomes"})
    assert "**" not in page.text and "example.org" not in page.text
    assert "the <mark>outcomes</mark> star" in page.text


async def test_channels_are_shown_by_their_names(client, forum, people):
    await thread_actions.create_thread(forum, people["tom"], "Theory of change",
                                       "mapping outcomes", ["evaluation-impact"])
    [result] = await search(client, q="outcomes")
    assert result["channel"] == "evaluation-impact"  # the slug, as the API has always said
    assert result["channel_name"] == "Evaluation & Measuring Impact"
    page = await client.get("/search", params={"q": "outcomes"})
    assert '<a href="/c/evaluation-impact">Evaluation &amp; Measuring Impact</a>' in page.text


async def test_accents_and_welsh_and_gaelic_letters_match_as_expected(client, forum, people):
    thread_id = await thread_actions.create_thread(
        forum, people["rhian"], "Ŵyr a wyresau", "Ceud mìle fàilte to Mòrag's café", ["welcome"])
    for query in ("wyr", "ŵyr", "morag", "Mòrag", "cafe", "fàilte", "MILE"):
        results = await search(client, q=query)
        assert [r["thread_id"] for r in results] == [thread_id], query


async def test_phrases_in_quotes(client, forum, people):
    exact = await thread_actions.create_thread(forum, people["tom"], "A", "theory of change workshop",
                                               ["general-chat"])
    await thread_actions.create_thread(forum, people["tom"], "B", "change the theory later",
                                       ["general-chat"])
    assert [r["thread_id"] for r in await search(client, q='"theory of change"')] == [exact]
    assert len(await search(client, q="theory change")) == 2


async def test_filters_by_channel_author_and_date(client, forum, people):
    a = await thread_actions.create_thread(forum, people["rhian"], "Logic models", "logic", ["tools-methods"])
    b = await thread_actions.create_thread(forum, people["eilidh"], "More logic", "logic", ["general-chat"])
    assert [r["thread_id"] for r in await search(client, q="logic", channel="tools-methods")] == [a]
    assert [r["thread_id"] for r in await search(client, q="logic", author="eilidh")] == [b]
    assert [r["thread_id"] for r in await search(client, q="logic @EILIDH")] == [b]
    today = utcnow().date()
    assert len(await search(client, q="logic", **{"from": str(today), "to": str(today)})) == 2
    assert await search(client, q="logic", to=str(today - timedelta(days=1))) == []


async def test_the_index_follows_every_change(client, forum, people):
    thread_id = await thread_actions.create_thread(forum, people["tom"], "Volunteers",
                                                   "Opening", ["general-chat"])
    post_id = (await post_actions.reply(forum, people["tom"], thread_id, "We value volunteer hours"))["id"]
    assert [r["post_id"] for r in await search(client, q="hours")] == [post_id]  # at once
    await post_actions.edit(forum, people["tom"], post_id, "We count volunteer days")
    assert await search(client, q="hours") == []
    assert [r["post_id"] for r in await search(client, q="days")] == [post_id]
    await post_actions.delete(forum, people["tom"], post_id)
    assert await search(client, q="days") == []


async def test_paged_by_cursor(client, forum, people):
    for i in range(25):
        await thread_actions.create_thread(forum, people["tom"], f"Budget {i}", "budget talk",
                                           ["general-chat"])
    first = (await client.get("/api/v1/search", params={"q": "budget"})).json()
    assert len(first["results"]) == 20 and first["next_cursor"]
    second = (await client.get("/api/v1/search",
                               params={"q": "budget", "cursor": first["next_cursor"]})).json()
    ids = [r["post_id"] for r in first["results"] + second["results"]]
    assert len(ids) == 25 == len(set(ids)) and second["next_cursor"] is None


async def test_one_result_per_thread_with_its_best_post_and_the_other_matches_counted(
        client, forum, people):
    titled = await thread_actions.create_thread(forum, people["rhian"], "Outcomes frameworks",
                                                "Which do you use?", ["general-chat"])
    for words in ("outcomes for whom", "outcomes, outputs", "short and long outcomes"):
        await post_actions.reply(forum, people["tom"], titled, words)
    untitled = await thread_actions.create_thread(forum, people["tom"], "Reporting", "Opening",
                                                  ["general-chat"])
    await post_actions.reply(forum, people["eilidh"], untitled,
                             "A long reply that mentions outcomes once among many other words")
    best = (await post_actions.reply(forum, people["rhian"], untitled,
                                     "outcomes outcomes outcomes"))["id"]
    results = await search(client, q="outcomes")
    assert [r["thread_id"] for r in results] == [titled, untitled]  # title matches first
    assert results[0]["post_id"] == await _opening_post(forum, titled)
    assert results[0]["more_matches"] == 3
    assert results[1]["post_id"] == best and results[1]["more_matches"] == 1
    page = await client.get("/search", params={"q": "outcomes"})
    assert page.text.count("Outcomes frameworks</a>") == 1
    assert "3 more matches in this thread" in page.text and "1 more match in this thread" in page.text
    # Each such link names its thread for a screen reader's list of links, where all look alike.
    assert 'in this thread<span class="visually-hidden">: Outcomes frameworks</span>' in page.text
    only_eilidh = await search(client, q="outcomes", author="eilidh")
    assert [(r["thread_id"], r["more_matches"]) for r in only_eilidh] == [(untitled, 0)]


async def _opening_post(forum, thread_id):
    return await forum.db.fetch_val("SELECT id FROM posts WHERE thread_id = :t AND depth = 0",
                                    {"t": thread_id})


async def test_threads_are_paged_by_cursor_each_once(client, forum, people):
    for i in range(25):
        thread_id = await thread_actions.create_thread(forum, people["tom"], f"Budget {i}",
                                                       "budget talk", ["general-chat"])
        await post_actions.reply(forum, people["rhian"], thread_id, "more budget talk")
    first = (await client.get("/api/v1/search", params={"q": "talk"})).json()
    assert len(first["results"]) == 20 and first["next_cursor"]
    second = (await client.get("/api/v1/search",
                               params={"q": "talk", "cursor": first["next_cursor"]})).json()
    threads = [r["thread_id"] for r in first["results"] + second["results"]]
    assert len(threads) == 25 == len(set(threads)) and second["next_cursor"] is None
    assert all(r["more_matches"] == 1 for r in first["results"] + second["results"])


async def test_hidden_matches_are_counted_for_moderators_only(client, forum, people):
    from forum.actions import moderation as moderation_actions

    moderator = await make_member(forum, "morag", "moderator")
    thread_id = await thread_actions.create_thread(forum, people["tom"], "Funders",
                                                   "grants and funders", ["general-chat"])
    hidden = (await post_actions.reply(forum, people["rhian"], thread_id, "spam grants"))["id"]
    gone = (await post_actions.reply(forum, people["rhian"], thread_id, "old grants"))["id"]
    await moderation_actions.hide_post(forum, moderator, hidden, "Advertising")
    await post_actions.delete(forum, people["rhian"], gone)
    [result] = await search(client, q="grants")
    assert result["more_matches"] == 0
    as_moderator = (await client.get("/api/v1/search", params={"q": "grants"},
                                     headers=await api_token(client, "morag", signup=False))).json()
    assert [r["more_matches"] for r in as_moderator["results"]] == [1]


@pytest.mark.parametrize("params,field", [
    ({"q": ""}, "q"), ({"q": "a"}, "q"), ({"q": "x" * 201}, "q"),
    ({"q": "ok words", "from": "yesterday"}, "from"), ({"q": "ok", "channel": "nope"}, "channel"),
    ({"q": "ok", "cursor": "junk"}, "cursor"),
])
async def test_unusable_queries_get_a_clear_message(client, params, field):
    response = await client.get("/api/v1/search", params=params)
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
    page = await client.get("/search", params=params)
    if params["q"]:  # an empty box just shows the form
        assert page.status_code == 400
        assert 'class="field-error"' in page.text or 'class="form-error"' in page.text


async def test_the_search_page(client, forum, people):
    await thread_actions.create_thread(forum, people["tom"], "Co-production", "lived experience",
                                       ["values-principles"])
    page = await client.get("/search", params={"q": "lived experience"})
    assert page.status_code == 200 and "Co-production" in page.text
    assert "<mark>lived</mark>" in page.text
    short = await client.get("/search", params={"q": "a"})
    assert short.status_code == 400 and "at least 2 letters" in short.text and 'value="a"' in short.text


def test_query_parsing_and_snippets():
    query = parse('Mòrag "theory of change" @rhian')
    assert query.words == ["morag"] and query.phrases == [["theory", "of", "change"]]
    assert query.author == "rhian"
    with pytest.raises(QueryError):
        parse("   ")
    text = "x " * 200 + "the Mòrag <b>part</b> " + "y " * 200
    marked = str(snippet(text, parse("morag")))
    assert "<mark>Mòrag</mark>" in marked and "&lt;b&gt;" in marked and marked.startswith("…")
