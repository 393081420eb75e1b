"""Reporting one private message: a page linked from each message and the API. The moderators'
queue at /mod shows that message alone (text, author, time, reporter, reason), never the rest
of the conversation, which stays a 404 for them; they dismiss the report there."""

from __future__ import annotations

import re

from forum.actions import conversations as conversation_actions
from forum.db import message_reports, moderation, users
from tests.helpers import api_token, csrf_token, make_member
from tests.test_message_pages import log_in


async def test_a_report_by_form_reaches_the_queue_alone_and_is_dismissed(client, other_client, forum):
    ann = await make_member(forum, "ann")
    ben = await make_member(forum, "ben")
    await make_member(forum, "mod", role="moderator")
    conversation_id = await conversation_actions.start(forum, ann, ["ben"], "Secret plans",
                                                       "First private words")
    rude = (await conversation_actions.send(forum, ben, conversation_id, "Rude *words*"))["id"]
    await conversation_actions.send(forum, ann, conversation_id, "Later words")
    await log_in(client, "ann")
    page = (await client.get(f"/messages/{conversation_id}")).text
    path = f"/messages/{conversation_id}/report/{rude}"
    assert f'href="{path}"' in page
    form = await client.get(path)
    assert form.status_code == 200 and "<em>words</em>" in form.text and "Later words" not in form.text
    assert (await client.post(path, data={"reason": "Rude"})).status_code == 403  # no CSRF token
    empty = await client.post(path, data={"reason": " ", "csrf_token": await csrf_token(client, path)})
    assert empty.status_code == 400 and 'class="field-error"' in empty.text
    sent = await client.post(path, data={"reason": "Insulting <me>",
                                         "csrf_token": await csrf_token(client, path)})
    assert sent.status_code == 200 and "A moderator will look at this message" in sent.text

    await log_in(other_client, "mod")
    queue = (await other_client.get("/mod")).text
    assert "Rude <em>words</em>" in queue and "Insulting &lt;me&gt;" in queue and "@ann" in queue
    assert 'href="/u/ben"' in queue  # the author's profile, where the suspend button is
    for private in ("First private words", "Later words", "Secret plans"):
        assert private not in queue
    assert (await other_client.get(f"/messages/{conversation_id}")).status_code == 404
    assert (await other_client.get(path)).status_code == 404
    report_id = re.search(r'action="/mod/reports/(\d+)/dismiss"', queue).group(1)
    refused = await client.post(f"/mod/reports/{report_id}/dismiss",
                                data={"csrf_token": await csrf_token(client)})
    assert refused.status_code == 403  # a member is not a moderator
    dismissed = await other_client.post(f"/mod/reports/{report_id}/dismiss",
                                        data={"csrf_token": await csrf_token(other_client, "/mod")})
    assert dismissed.status_code == 303 and dismissed.headers["location"] == "/mod"
    after = (await other_client.get("/mod")).text
    assert "Rude <em>words</em>" not in after and "dismissed a report of a private message" in after
    assert await message_reports.open_reports(forum.db) == []


async def test_reporting_through_the_api(client, forum):
    ann = await api_token(client, "ann")
    ben = await api_token(client, "ben")
    cat = await api_token(client, "cat")
    conversation_id = (await client.post("/api/v1/conversations", headers=ann,
                                         json={"to": ["ben"], "body": "Hello ben"})).json()["id"]
    elsewhere = (await client.post("/api/v1/conversations", headers=ann,
                                   json={"to": ["cat"], "body": "Hello cat"})).json()["id"]
    message_id = (await client.get(f"/api/v1/conversations/{conversation_id}", headers=ben)).json()[
        "messages"][0]["id"]
    other_message = (await client.get(f"/api/v1/conversations/{elsewhere}", headers=cat)).json()[
        "messages"][0]["id"]
    url = f"/api/v1/conversations/{conversation_id}/messages/{message_id}/report"
    assert (await client.post(url, json={"reason": "Spam"})).status_code == 401
    assert (await client.post(url, headers=cat, json={"reason": "Spam"})).status_code == 404  # not in it
    own = await client.post(url, headers=ann, json={"reason": "Spam"})
    assert own.status_code == 400 and own.json()["error"]["fields"]["reason"]
    assert (await client.post(url, headers=ben, json={})).status_code == 400
    mismatched = f"/api/v1/conversations/{conversation_id}/messages/{other_message}/report"
    assert (await client.post(mismatched, headers=ben, json={"reason": "Spam"})).status_code == 404
    reported = await client.post(url, headers=ben, json={"reason": "Spam"})
    assert reported.status_code == 201
    [row] = await message_reports.open_reports(forum.db)
    assert (row["id"], row["message_id"], row["reporter_username"], row["reason"]) == (
        reported.json()["id"], message_id, "ben", "Spam")
    await moderation.set_suspended(forum.db, (await users.by_username(forum.db, "ben"))["id"], True)
    assert (await client.post(url, headers=ben, json={"reason": "Again"})).status_code == 403

