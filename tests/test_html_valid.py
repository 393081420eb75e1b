"""Every kind of page is valid HTML, as the W3C's Nu checker (vnu) reads it: for a visitor and
for a moderator, with a thread, replies, an event, a flag and notifications to show. The pages
are saved to files and checked in one run of the checker (it takes seconds to start)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from forum.actions import conversations as conversation_actions
from forum.actions import events as event_actions
from forum.actions import library as library_actions
from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from tests.conftest import skip_unless_required
from tests.helpers import PASSWORD, make_member, submit

JAVA_MISSING = "the HTML checks run the Nu checker on Java: apt-get install default-jre-headless"
NPM_MISSING = "the HTML checks install the Nu checker (vnu-jar) with npm: apt-get install npm"


@pytest.fixture(scope="session")
def vnu_jar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """vnu-jar from the npm registry, kept in the virtualenv between runs (never committed)."""
    if not shutil.which("java"):
        skip_unless_required(JAVA_MISSING)
    in_venv = sys.prefix != sys.base_prefix
    cache = Path(sys.prefix) / "test-cache" / "vnu" if in_venv else tmp_path_factory.mktemp("vnu")
    jar = cache / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.exists():
        npm = shutil.which("npm")
        if not npm:
            skip_unless_required(NPM_MISSING)
        subprocess.run([npm, "install", "--prefix", str(cache), "--no-save", "--no-audit",
                        "--no-fund", "--loglevel=error", "vnu-jar@24"], check=True, timeout=600)
    return jar


def vnu_errors(jar: Path, files: list[Path]) -> list[str]:
    """Each error as 'file:line: message', from one run over every file."""
    java = shutil.which("java") or "java"
    done = subprocess.run([java, "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json",
                           *map(str, files)], capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
            for m in messages if m.get("type") in ("error", "non-document-error")]


async def test_every_page_is_valid_html(client, other_client, forum, vnu_jar, tmp_path):
    author = await make_member(forum, "author_v")
    moderator = await make_member(forum, "mod_v", role="moderator")
    thread_id = await thread_actions.create_thread(
        forum, author, "A *thread* & <b>more</b>", "Body with **bold**, a [link](https://example.org)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```", ["general-chat", "tools-methods"])
    post_id = (await post_actions.reply(forum, author, thread_id, "A reply to @mod_v"))["id"]
    await post_actions.reply(forum, moderator, thread_id, "An answer", parent_id=post_id)
    await post_actions.edit(forum, author, post_id, "A reply to @mod_v, edited")
    start = datetime.now(UTC) + timedelta(days=3)
    event_id, _ = await event_actions.create(forum, moderator, {
        "title": "Network event", "body": "Come along.", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "location": "Online", "capacity": 5,
        "categories": ["announcements"]})
    await event_actions.register(forum, author, event_id)
    await moderation_actions.flag_post(forum, author, post_id, "Off topic")
    # A thread in every state a post can be in: hidden, deleted, locked and pinned; a banner.
    hidden = (await post_actions.reply(forum, author, thread_id, "Hidden soon"))["id"]
    await moderation_actions.hide_post(forum, moderator, hidden, "Spam")
    gone = (await post_actions.reply(forum, author, thread_id, "Gone"))["id"]
    await post_actions.delete(forum, author, gone)
    await thread_actions.set_flag(forum, moderator, thread_id, "locked", True)
    await thread_actions.set_flag(forum, moderator, thread_id, "pinned", True)
    await moderation_actions.set_banner(forum, moderator, "Welcome to the **new** forum")
    item_id, item_thread = await library_actions.create_item(forum, author, {
        "kind": "case_study", "title": "A case & <i>study</i>", "body": "About #evaluation",
        "categories": ["tools-methods"], "tags": ["co-design"], "organisation": "Org & co",
        "location": "Place", "what_was_done": "Line one\nline two", "outcomes": "Better",
        "link": "https://example.org/a?b=1&c=2", "contact": "someone"})
    conversation_id = await conversation_actions.start(forum, moderator, ["author_v"], "Plans & <b>more</b>",
                                                      "Our **plans** for the <i>meeting</i>")

    await submit(other_client, "/login", {"username": "mod_v", "password": PASSWORD}, "/login")
    shared = ["/", "/c/general-chat", f"/t/{thread_id}", "/u/author_v", "/members", "/search?q=reply",
              "/search?q=", "/events", "/events?when=past", f"/events/{event_id}", "/no-such-page",
              "/c/no-such-channel", "/library", "/library?kind=case_study&sort=discussed",
              "/tags/evaluation", f"/t/{item_thread}"]
    pages = {
        "visitor": [*shared, "/signup", "/login"],
        "moderator": [*shared, "/c/general-chat/new", f"/t/{thread_id}/reply?to={post_id}",
                      f"/p/{post_id}/edit", f"/p/{post_id}/delete", f"/p/{post_id}/flag",
                      f"/p/{post_id}/history", f"/p/{post_id}/hide", f"/t/{thread_id}/move",
                      "/notifications", "/mod", "/events/new", f"/events/{event_id}/edit",
                      f"/events/{event_id}/attendees", f"/events/{event_id}/cancel-event",
                      "/u/mod_v/edit", "/welcome",
                      "/account/password", "/account/sessions", "/library/new", f"/t/{thread_id}/tags",
                      f"/library/{item_id}/edit", "/messages", f"/messages/{conversation_id}",
                      "/search?q=plans&in=messages"],
    }
    files = []
    for who, http in (("visitor", client), ("moderator", other_client)):
        for path in pages[who]:
            response = await http.get(path)
            assert response.status_code in (200, 404), (who, path, response.status_code)
            assert response.headers["content-type"].startswith("text/html"), (who, path)
            name = re.sub(r"[^a-z0-9]+", "-", f"{who}{path}".lower()).strip("-")
            files.append(tmp_path / f"{name}.html")
            files[-1].write_text(response.text, encoding="utf-8")
    # A rejected form, with its messages beside the fields.
    refused = await submit(client, "/signup", {"username": "x", "password": "short"}, "/signup")
    files.append(tmp_path / "visitor-signup-refused.html")
    files[-1].write_text(refused.text, encoding="utf-8")
    refused = await submit(other_client, "/library/new", {"kind": "resource", "link": "javascript:x",
                                                           "tags": "open data"}, "/library/new")
    assert refused.status_code == 400
    files.append(tmp_path / "moderator-library-refused.html")
    files[-1].write_text(refused.text, encoding="utf-8")
    unknown_kind = await client.get("/library?kind=x")
    assert unknown_kind.status_code == 400
    files.append(tmp_path / "visitor-library-unknown-kind.html")
    files[-1].write_text(unknown_kind.text, encoding="utf-8")

    errors = vnu_errors(vnu_jar, files)
    assert not errors, "\n".join(errors)
