"""Posts kept rendered per kind of reader (forum/web/post_fragments.py): no reader is ever shown
markup meant for another, and a change to a post shows at once."""

from __future__ import annotations

import re

from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.db import posts, threads
from tests.helpers import PASSWORD, make_member, submit


def article(page: str, post_id: int) -> str:
    match = re.search(rf'<article [^>]*id="post-{post_id}".*?</article>', page, re.S)
    assert match, f"post {post_id} is not on the page"
    return match.group(0)


async def log_in(client, username: str) -> None:
    response = await submit(client, "/login", {"username": username, "password": PASSWORD}, "/login")
    assert response.status_code == 303


async def test_each_reader_sees_their_own_controls_of_a_kept_post(forum, client, other_client):
    author = await make_member(forum, "author")
    await make_member(forum, "reader")
    await make_member(forum, "moddy", role="moderator")
    thread_id = await thread_actions.create_thread(forum, author, "Kept", "Opening", ["general-chat"])
    post_id = (await post_actions.reply(forum, author, thread_id, "The author's reply"))["id"]

    await log_in(client, "author")
    await log_in(other_client, "reader")
    for _ in range(2):  # the second view of each comes from the kept fragments
        mine = article((await client.get(f"/t/{thread_id}")).text, post_id)
        theirs = article((await other_client.get(f"/t/{thread_id}")).text, post_id)
        assert f'href="/p/{post_id}/edit"' in mine and f'href="/p/{post_id}/flag"' not in mine
        assert f'href="/p/{post_id}/edit"' not in theirs and f'href="/p/{post_id}/flag"' in theirs
    assert len(forum.templates.post_fragments) > 0

    # Edited: everyone sees the new text at once, not the kept HTML of the old.
    await post_actions.edit(forum, author, post_id, "Second thoughts")
    for reader in (client, other_client):
        body = article((await reader.get(f"/t/{thread_id}")).text, post_id)
        assert "Second thoughts" in body and "The author&#39;s reply" not in body


async def test_a_hidden_post_shows_its_text_and_token_only_to_moderators(forum, client, other_client):
    author = await make_member(forum, "writer")
    moderator = await make_member(forum, "moddy", role="moderator")
    await make_member(forum, "reader")
    thread_id = await thread_actions.create_thread(forum, author, "Hidden", "Opening", ["general-chat"])
    post_id = (await post_actions.reply(forum, author, thread_id, "Words to hide"))["id"]
    await moderation_actions.hide_post(forum, moderator, post_id, "off topic")

    await log_in(client, "moddy")
    await log_in(other_client, "reader")
    tokens = set()
    for _ in range(2):
        seen = article((await client.get(f"/t/{thread_id}")).text, post_id)
        assert "Words to hide" in seen and f'action="/p/{post_id}/restore"' in seen
        tokens.add(re.search(r'name="csrf_token" value="([^"]+)"', seen).group(1))
        hidden = article((await other_client.get(f"/t/{thread_id}")).text, post_id)
        assert "Words to hide" not in hidden and "restore" not in hidden and "csrf_token" not in hidden
        assert "Hidden by a moderator: off topic" in hidden
    # The restore form carries this moderator's own token, the one the page's forms carry.
    page = (await client.get(f"/t/{thread_id}")).text
    assert tokens == {re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page).group(1)}


async def test_kept_posts_are_bounded_by_their_size_least_recently_used_out(forum):
    from forum.web.post_fragments import PostFragments
    from forum.web.templating import page_rows

    author = await make_member(forum, "sizer")
    thread_id = await thread_actions.create_thread(forum, author, "Sized", "Opening", ["general-chat"])
    replies = [await post_actions.reply(forum, author, thread_id, f"Reply {n}") for n in range(4)]
    [thread] = page_rows([await threads.by_id(forum.db, thread_id)])
    rows, _ = await posts.in_thread(forum.db, thread_id, None, 10)
    rows = page_rows([row for row in rows if row["id"] in {r["id"] for r in replies}])
    one = len(forum.templates.post_fragments.render(rows[0], thread, None, None, "t"))
    kept = PostFragments(forum.templates.env, max_chars=int(one * 2.5))  # room for two
    rendered = [kept.render(row, thread, None, None, "t") for row in rows[:3]]
    assert len(kept) == 2
    assert kept.render(rows[1], thread, None, None, "t") is rendered[1]  # kept: now the most recent
    kept.render(rows[3], thread, None, None, "t")  # pushes out the least recently used, rows[2]
    assert len(kept) == 2
    assert kept.render(rows[1], thread, None, None, "t") is rendered[1]
    assert kept.render(rows[2], thread, None, None, "t") is not rendered[2]  # rendered afresh
