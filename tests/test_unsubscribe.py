"""Unsubscribing in one click from an email, without signing in: the link in the message's
List-Unsubscribe header and text, the confirm page (GET changes nothing), the form's POST, and
RFC 8058's one-click POST, which alone goes without a CSRF token."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from forum.db.tables import users
from forum.settings import Settings
from tests.conftest import make_client
from tests.helpers import CSRF_META, PASSWORD, submit
from tests.mail_server import SmtpServer, mail_settings, path_of


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return mail_settings(database_url, smtp)


async def preference(forum, username: str = "ada") -> str:
    return await forum.db.fetch_val(sa.select(users.c.email_notifications)
                                    .where(users.c.username_key == username))


async def mailed_unsubscribe_link(client, forum, smtp) -> str:
    """A member with an address, sent notification-kind mail; the link its header carries."""
    created = await client.post("/api/v1/users", json={"username": "ada", "password": PASSWORD,
                                                       "email": "ada@example.org"})
    assert created.status_code == 201
    user_id = await forum.db.fetch_val(sa.select(users.c.id))
    async with forum.db.transaction():
        await forum.mailer.queue(kind="notification", user_id=user_id, to_name="Ada",
                                 to_email="ada@example.org", subject="A reply", template="test", context={},
                                 unsubscribe_url=forum.mailer.unsubscribe_url(user_id, "notifications"))
    forum.mailer.wake()
    mail = next(m for m in await smtp.await_for(2) if m.message["Subject"] == "A reply")
    header = str(mail.message["List-Unsubscribe"]).strip()  # a long one is folded onto its own line
    assert header.startswith("<http://testserver/unsubscribe/") and header.endswith(">")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = header[1:-1]
    assert link in mail.part("plain") and f'href="{link}"' in mail.part("html")
    return path_of(link)


async def test_the_mailed_link_asks_then_unsubscribes_without_signing_in(app, client, forum, smtp):
    link = await mailed_unsubscribe_link(client, forum, smtp)
    async with make_client(app) as stranger:  # no session: the link alone is enough
        page = await stranger.get(link)
        assert page.status_code == 200 and "Stop email about replies" in page.text
        assert await preference(forum) == "immediately"  # a mail scanner's GET changes nothing
        token = CSRF_META.search(page.text).group(1)
        done = await stranger.post(link, data={"csrf_token": token})
        assert done.status_code == 200 and "Done: no more" in done.text
    assert await preference(forum) == "off"


async def test_rfc_8058_one_click_post_needs_no_csrf_token(app, client, forum, smtp):
    link = await mailed_unsubscribe_link(client, forum, smtp)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app.app),
                                 base_url="http://testserver") as mail_provider:
        response = await mail_provider.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert await preference(forum) == "off"


async def test_a_post_without_either_proof_or_a_forged_link_changes_nothing(app, client, forum, smtp):
    link = await mailed_unsubscribe_link(client, forum, smtp)
    async with make_client(app) as stranger:
        assert (await stranger.post(link, data={"something": "else"})).status_code == 403
        tampered = link[:-2] + ("AA" if not link.endswith("AA") else "BB")
        assert (await stranger.get(tampered)).status_code == 400
        assert (await stranger.post(tampered, data={"List-Unsubscribe": "One-Click"})).status_code == 400
    assert await preference(forum) == "immediately"


async def test_the_one_click_body_opens_no_other_route(client, forum, smtp):
    await client.post("/api/v1/users", json={"username": "ada", "password": PASSWORD})
    await submit(client, "/login", {"username": "ada", "password": PASSWORD}, "/login")
    response = await client.post("/settings/notifications", data={
        "List-Unsubscribe": "One-Click", "email_notifications": "daily"})
    assert response.status_code == 403
    assert await preference(forum) == "immediately"


async def test_settings_page_sets_the_preference(client, forum, smtp):
    await client.post("/api/v1/users", json={"username": "ada", "password": PASSWORD})
    await submit(client, "/login", {"username": "ada", "password": PASSWORD}, "/login")
    page = await client.get("/settings")
    for label in ("Immediately", "Daily digest", "Off"):
        assert f">{label}</label>" in page.text
    saved = await submit(client, "/settings/notifications", {"email_notifications": "daily"}, "/settings")
    assert saved.status_code == 303 and await preference(forum) == "daily"
    bad = await submit(client, "/settings/notifications", {"email_notifications": "hourly"}, "/settings")
    assert bad.status_code == 400 and "Choose immediately, daily or off" in bad.text
    assert await preference(forum) == "daily"
