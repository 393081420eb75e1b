"""Hiding and restoring posts, and the moderation log."""

from __future__ import annotations

import pytest

from forum.actions import PermissionDenied
from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.db import moderation
from tests.helpers import PASSWORD, api_token, make_member, submit


@pytest.fixture
async def scene(forum):
    author = await make_member(forum, "author")
    moderator = await make_member(forum, "mod", role="moderator")
    thread_id = await thread_actions.create_thread(forum, author, "Budgets", "Opening", ["general-chat"])
    post_id = (await post_actions.reply(forum, author, thread_id, "Spammy words about budgets"))["id"]
    return {"author": author, "moderator": moderator, "thread": thread_id, "post": post_id}


async def test_members_see_the_reason_and_moderators_see_the_post_marked(client, other_client, forum, scene):
    await moderation_actions.hide_post(forum, scene["moderator"], scene["post"], "Advertising")
    page = (await client.get(f"/t/{scene['thread']}")).text
    assert "Spammy words" not in page and "Hidden by a moderator: Advertising" in page
    await submit(other_client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    moderator_page = (await other_client.get(f"/t/{scene['thread']}")).text
    assert "Spammy words" in moderator_page and "Hidden from members." in moderator_page
    assert "Restore" in moderator_page


async def test_hiding_needs_a_moderator_and_a_reason(forum, scene):
    with pytest.raises(PermissionDenied):
        await moderation_actions.hide_post(forum, scene["author"], scene["post"], "mine")
    with pytest.raises(Exception, match="reason"):
        await moderation_actions.hide_post(forum, scene["moderator"], scene["post"], "  ")


async def test_hide_and_restore_with_the_forms_and_the_log(client, forum, scene):
    await submit(client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    form = await client.get(f"/p/{scene['post']}/hide")
    assert form.status_code == 200 and "Reason" in form.text
    empty = await submit(client, f"/p/{scene['post']}/hide", {"reason": ""}, f"/p/{scene['post']}/hide")
    assert empty.status_code == 400 and "Give a reason" in empty.text
    hidden = await submit(
        client, f"/p/{scene['post']}/hide", {"reason": "Off topic"}, f"/p/{scene['post']}/hide"
    )
    assert hidden.status_code == 303
    restored = await submit(client, f"/p/{scene['post']}/restore", {}, f"/t/{scene['thread']}")
    assert restored.status_code == 303
    log = [(e["action"], e["actor_username"], e["reason"]) for e in await moderation.recent(forum.db)]
    assert log[:2] == [("restore_post", "mod", ""), ("hide_post", "mod", "Off topic")]
    page = await client.get("/mod")
    assert page.status_code == 200 and "hid a post" in page.text and "Off topic" in page.text


async def test_members_cannot_reach_moderation_pages(client, scene):
    await submit(client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    assert (await client.get("/mod")).status_code == 403
    assert (await client.get(f"/p/{scene['post']}/hide")).status_code == 403
    response = await submit(client, f"/p/{scene['post']}/hide", {"reason": "x"}, "/")
    assert response.status_code == 403
    await submit(client, "/logout", {})
    assert (await client.get("/mod")).status_code == 403


async def test_the_api_hides_words_from_members_only(client, forum, scene):
    moderator = await api_token(client, "mod", signup=False)
    member = await api_token(client, "reader")
    refused = await client.post(f"/api/v1/posts/{scene['post']}/hide", headers=member, json={"reason": "x"})
    assert refused.status_code == 403
    missing = await client.post(f"/api/v1/posts/{scene['post']}/hide", headers=moderator, json={})
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["fields"]
    hidden = await client.post(
        f"/api/v1/posts/{scene['post']}/hide", headers=moderator, json={"reason": "Advertising"}
    )
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    as_member = (await client.get(f"/api/v1/posts/{scene['post']}", headers=member)).json()
    assert as_member["body"] == "" and as_member["hidden_reason"] == "Advertising"
    as_moderator = (await client.get(f"/api/v1/posts/{scene['post']}", headers=moderator)).json()
    assert as_moderator["body"] == "Spammy words about budgets"
    in_thread = (await client.get(f"/api/v1/threads/{scene['thread']}", headers=member)).json()
    assert all("Spammy" not in p["body"] for p in in_thread["posts"])
    restored = await client.post(f"/api/v1/posts/{scene['post']}/restore", headers=moderator)
    assert restored.json()["hidden"] is False
    assert (await client.get(f"/api/v1/posts/{scene['post']}")).json()["body"].startswith("Spammy")


async def test_hidden_posts_are_findable_by_moderators_only(client, forum, scene):
    await moderation_actions.hide_post(forum, scene["moderator"], scene["post"], "Advertising")
    member = await api_token(client, "reader")
    moderator = await api_token(client, "mod", signup=False)
    found = (await client.get("/api/v1/search", params={"q": "spammy"}, headers=member)).json()
    assert found["results"] == []
    anonymous = (await client.get("/api/v1/search", params={"q": "spammy"})).json()
    assert anonymous["results"] == []
    for_moderator = (await client.get("/api/v1/search", params={"q": "spammy"}, headers=moderator)).json()
    assert [r["post_id"] for r in for_moderator["results"]] == [scene["post"]]


async def test_thread_moderation_and_moderator_edits_are_logged(forum, scene):
    await thread_actions.set_flag(forum, scene["moderator"], scene["thread"], "pinned", True)
    await thread_actions.set_flag(forum, scene["moderator"], scene["thread"], "locked", True)
    await thread_actions.move(forum, scene["moderator"], scene["thread"], ["tools-methods"])
    await post_actions.edit(forum, scene["moderator"], scene["post"], "Tidied by a moderator")
    await post_actions.edit(forum, scene["author"], scene["post"], "Author's own edit")  # not logged
    actions = [e["action"] for e in await moderation.recent(forum.db)]
    assert actions == ["edit_post", "moved", "locked", "pinned"]


# -- flags, banner, revisions, suspension, roles -------------------------------------------
async def test_flags_wait_in_the_queue_until_a_moderator_resolves_them(client, other_client, forum, scene):
    await make_member(forum, "reporter")
    await submit(client, "/login", {"username": "reporter", "password": PASSWORD}, "/login")
    form = await client.get(f"/p/{scene['post']}/flag")
    assert form.status_code == 200 and "Reason" in form.text
    empty = await submit(client, f"/p/{scene['post']}/flag", {"reason": ""}, f"/p/{scene['post']}/flag")
    assert empty.status_code == 400 and "Say what is wrong" in empty.text
    sent = await submit(
        client, f"/p/{scene['post']}/flag", {"reason": "It is an advert"}, f"/p/{scene['post']}/flag"
    )
    assert sent.status_code == 200 and "A moderator will look at it" in sent.text
    await submit(other_client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    queue = await other_client.get("/mod")
    assert "It is an advert" in queue.text and "@reporter" in queue.text
    [flag] = await moderation.open_flags(forum.db)
    refused = await submit(
        other_client, f"/mod/flags/{flag['id']}", {"resolution": "hide", "note": ""}, "/mod"
    )
    assert refused.status_code == 400 and "Give a reason" in refused.text
    resolved = await submit(
        other_client,
        f"/mod/flags/{flag['id']}",
        {"resolution": "hide", "note": "Advertising is not allowed"},
        "/mod",
    )
    assert resolved.status_code == 303
    assert await moderation.open_flags(forum.db) == []
    page = (await client.get(f"/t/{scene['thread']}")).text
    assert "Hidden by a moderator: Advertising is not allowed" in page
    actions = [e["action"] for e in await moderation.recent(forum.db)]
    assert actions[:2] == ["flag_hide", "hide_post"]


async def test_a_dismissed_flag_leaves_the_post(client, forum, scene):
    member = await make_member(forum, "reporter")
    flag_id = await moderation_actions.flag_post(forum, member, scene["post"], "Not sure about this")
    moderator = await api_token(client, "mod", signup=False)
    response = await client.post(
        f"/api/v1/flags/{flag_id}/resolve",
        headers=moderator,
        json={"resolution": "dismiss", "note": "It is fine"},
    )
    assert response.status_code == 200
    assert (await client.get(f"/api/v1/posts/{scene['post']}")).json()["hidden"] is False
    assert (await client.get("/api/v1/flags", headers=moderator)).json()["flags"] == []


async def test_the_site_banner_shows_everywhere_and_each_reader_can_dismiss_it(
    client, other_client, forum, scene
):
    await moderation_actions.set_banner(forum, scene["moderator"], "Network event on Friday")
    for path in ("/", "/c/general-chat", f"/t/{scene['thread']}", "/login"):
        assert "Network event on Friday" in (await client.get(path)).text, path
    dismissed = await submit(
        client, "/banner/dismiss", {"banner_id": str((await moderation.current_banner(forum.db))["id"])}
    )
    assert dismissed.status_code == 303
    assert "Network event on Friday" not in (await client.get("/")).text  # a visitor, by cookie
    await submit(other_client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    assert "Network event on Friday" in (await other_client.get("/")).text
    await submit(
        other_client, "/banner/dismiss", {"banner_id": str((await moderation.current_banner(forum.db))["id"])}
    )
    assert "Network event on Friday" not in (await other_client.get("/")).text  # a member, stored
    await moderation_actions.set_banner(forum, scene["moderator"], "Conference bookings open")
    assert "Conference bookings open" in (await other_client.get("/")).text  # a newer one shows
    await moderation_actions.clear_banner(forum, scene["moderator"])
    assert "Conference bookings open" not in (await other_client.get("/")).text


async def test_edits_keep_their_history_for_the_author_and_moderators(client, forum, scene):
    await post_actions.edit(forum, scene["author"], scene["post"], "Second version")
    await post_actions.edit(forum, scene["moderator"], scene["post"], "Third version")
    await submit(client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    history = await client.get(f"/p/{scene['post']}/history")
    assert history.status_code == 200
    assert "Spammy words about budgets" in history.text and "Second version" in history.text
    await submit(client, "/logout", {})
    await make_member(forum, "stranger")
    await submit(client, "/login", {"username": "stranger", "password": PASSWORD}, "/login")
    assert (await client.get(f"/p/{scene['post']}/history")).status_code == 403
    moderator = await api_token(client, "mod", signup=False)
    revisions = (await client.get(f"/api/v1/posts/{scene['post']}/revisions", headers=moderator)).json()
    assert [r["body"] for r in revisions["revisions"]] == ["Second version", "Spammy words about budgets"]


async def test_a_suspended_member_reads_but_cannot_write_at_once(client, forum, scene):
    await submit(client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    await moderation_actions.set_suspended(forum, scene["moderator"], "author", True)
    assert (await client.get(f"/t/{scene['thread']}")).status_code == 200
    refused = await submit(
        client, f"/t/{scene['thread']}/reply", {"body": "Still here?"}, f"/t/{scene['thread']}"
    )
    assert refused.status_code == 403 and "suspended" in refused.text and "Still here?" in refused.text
    await moderation_actions.set_suspended(forum, scene["moderator"], "author", False)
    allowed = await submit(
        client, f"/t/{scene['thread']}/reply", {"body": "Back again"}, f"/t/{scene['thread']}"
    )
    assert allowed.status_code == 303


async def test_moderators_cannot_suspend_their_equals_and_only_admins_set_roles(client, forum, scene):
    other_moderator = await make_member(forum, "mod2", role="moderator")
    with pytest.raises(PermissionDenied):
        await moderation_actions.set_suspended(forum, scene["moderator"], "mod2", True)
    with pytest.raises(PermissionDenied):
        await moderation_actions.set_role(forum, other_moderator, "author", "moderator")
    await make_member(forum, "boss", role="admin")
    await submit(client, "/login", {"username": "boss", "password": PASSWORD}, "/login")
    profile = await client.get("/u/author")
    assert "Set role" in profile.text and "Suspend account" in profile.text
    changed = await submit(client, "/u/author/role", {"role": "moderator"}, "/u/author")
    assert changed.status_code == 303
    assert "Moderator" in (await client.get("/u/author")).text


# -- what moderators are told about flags ------------------------------------------------
async def test_moderators_are_told_of_a_flag_live_and_see_the_count_in_the_header(
    client, other_client, forum, scene
):
    from forum.db import live_log, notifications

    admin = await make_member(forum, "boss", role="admin")
    reporter = await make_member(forum, "reporter", role="moderator")  # the flagger is not told
    await moderation_actions.flag_post(forum, reporter, scene["post"], "Looks like spam")
    for person in (scene["moderator"], admin):
        [told] = await notifications.for_user(forum.db, person.id)
        assert told["kind"] == "flag" and told["post_id"] == scene["post"]
        [event] = await live_log.after(forum.db, 0, [f"user:{person.id}"])
        assert event["type"] == "notification.created"
    assert await notifications.for_user(forum.db, reporter.id) == []
    assert await notifications.for_user(forum.db, scene["author"].id) == []

    await submit(client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    assert "flagged a post" in (await client.get("/notifications")).text
    for path in ("/", f"/t/{scene['thread']}"):
        header = (await client.get(path)).text
        assert '<span class="flag-count">1<span class="visually-hidden"> open flag</span></span>' in header
    await submit(other_client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    assert "flag-count" not in (await other_client.get("/")).text
    await moderation_actions.resolve_flag(forum, scene["moderator"],
                                          (await moderation.open_flags(forum.db))[0]["id"], "dismiss", "")
    assert "flag-count" not in (await client.get("/")).text


async def test_hidden_posts_on_mod_each_have_a_restore_button(client, forum, scene):
    await moderation_actions.hide_post(forum, scene["moderator"], scene["post"], "Advertising")
    await submit(client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    page = (await client.get("/mod")).text
    hidden_section = page.split('id="hidden-heading"')[1].split("</section>")[0]
    form = f'<form method="post" action="/p/{scene["post"]}/restore"'
    assert form in hidden_section and 'name="csrf_token"' in hidden_section
    restored = await submit(client, f"/p/{scene['post']}/restore", {"back": "/mod"}, "/mod")
    assert restored.status_code == 303
    assert "No posts are hidden." in (await client.get("/mod")).text


async def test_the_log_speaks_in_one_voice_in_the_past_tense(client, forum, scene):
    moderator = scene["moderator"]
    await moderation_actions.hide_post(forum, moderator, scene["post"], "Advertising")
    await moderation_actions.restore_post(forum, moderator, scene["post"])
    flagger = await make_member(forum, "reporter")
    flag_id = await moderation_actions.flag_post(forum, flagger, scene["post"], "Hmm")
    await moderation_actions.resolve_flag(forum, moderator, flag_id, "dismiss", "Fine")
    await moderation_actions.set_banner(forum, moderator, "Hello")
    await submit(client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    await submit(client, f"/t/{scene['thread']}/lock", {}, f"/t/{scene['thread']}")
    await submit(client, f"/t/{scene['thread']}/pin", {}, f"/t/{scene['thread']}")
    log = (await client.get("/mod")).text.split('id="log-heading"')[1]
    for words in ("hid a post", "restored a post", "dismissed a flag", "set the banner",
                  "locked the thread", "pinned the thread"):
        assert words in log, words
    for raw in ("hide post", "flag dismiss", "set banner", "_"):
        assert f"> {raw} " not in log and f"\n      {raw}\n" not in log, raw
    stored = [e["action"] for e in await moderation.recent(forum.db)]
    assert "hide_post" in stored and "flag_dismiss" in stored  # stored names stay as they were


async def _thread_gone_under_its_posts(forum, thread_id: int) -> None:  # type: ignore[no-untyped-def]
    """The moment a request meets when a thread is deleted (by hand: the forum deletes none)
    between its reading a post and reading the post's thread: the post read, the thread gone.
    Foreign keys would take the posts with it, so they are off for this one statement."""
    url = forum.settings.database_url
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:  # foreign keys off by default
            db.execute("DELETE FROM threads WHERE id = ?", (thread_id,))
    else:
        import asyncpg

        db = await asyncpg.connect(url)
        try:
            await db.execute("SET session_replication_role = replica")  # no foreign-key triggers
            await db.execute("DELETE FROM threads WHERE id = $1", thread_id)
        finally:
            await db.close()


async def test_a_post_whose_thread_has_gone_is_not_found_not_an_error(client, forum, scene):
    await submit(client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    await _thread_gone_under_its_posts(forum, scene["thread"])
    post = scene["post"]
    for path in (f"/p/{post}/hide", f"/p/{post}/flag", f"/p/{post}/history", f"/p/{post}/edit",
                 f"/p/{post}/delete", f"/p/{post}/react"):
        response = await client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "There is no thread at this address." in response.text, path
