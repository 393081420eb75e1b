"""Email addresses: given at sign-up (page and API), normalised, one per account, confirmed
by a mailed link, changed on /settings and through PATCH /api/v1/me; and mail surviving a
killed server."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from forum.db.tables import mail_outbox, users
from forum.settings import Settings
from tests.helpers import PASSWORD, api_token, csrf_token, submit
from tests.mail_server import SmtpServer, mail_settings, path_of
from tests.servers import ServerProcess, free_port


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return mail_settings(database_url, smtp)


async def user_row(forum, username: str):
    return await forum.db.fetch_one(sa.select(users).where(users.c.username_key == username.lower()))


async def sign_up_page(client, username: str, email: str):
    return await submit(client, "/signup", {"username": username, "password": PASSWORD,
                                            "email": email}, "/signup")


async def test_sign_up_asks_for_an_email_and_mails_a_link_that_confirms_it(client, forum, smtp):
    page = await client.get("/signup")
    assert '<label for="email">Email</label>' in page.text
    response = await sign_up_page(client, "ada", "  Ada@Example.ORG ")
    assert response.status_code == 303
    row = await user_row(forum, "ada")
    assert row["email"] == "ada@example.org" and row["email_confirmed_at"] is None
    [mail] = await smtp.await_for(1)
    assert mail.rcpt_tos == ["ada@example.org"] and "Confirm your email" in mail.message["Subject"]
    assert mail.message["List-Unsubscribe"] is None  # account mail: no unsubscribing from it
    [link] = [link for link in mail.links() if "/settings/email/confirm/" in link]
    assert link in mail.part("html")
    # Only the token's hash is stored.
    token = link.rsplit("/", 1)[1]
    assert token not in str([dict(r._mapping) for r in await forum.db.fetch_all(sa.text(
        "SELECT * FROM account_tokens"))])

    confirmed = await client.get(path_of(link))
    assert confirmed.status_code == 200 and "Address confirmed" in confirmed.text
    assert (await user_row(forum, "ada"))["email_confirmed_at"] is not None
    again = await client.get(path_of(link))
    assert again.status_code == 400 and "Link not valid" in again.text
    settings_page = await client.get("/settings")
    assert "ada@example.org" in settings_page.text and "confirmed." in settings_page.text


async def test_one_address_one_account_whatever_its_case(client, other_client, forum, smtp):
    assert (await sign_up_page(client, "ada", "ada@example.org")).status_code == 303
    refused = await sign_up_page(other_client, "bob", "ADA@example.org")
    assert refused.status_code == 400
    assert "Another account uses that address" in refused.text
    assert 'value="ADA@example.org"' in refused.text and 'value="bob"' in refused.text  # kept
    api = await other_client.post("/api/v1/users", json={"username": "bob", "password": PASSWORD,
                                                          "email": " Ada@EXAMPLE.org"})
    assert api.status_code == 400 and "email" in api.json()["error"]["fields"]
    assert await user_row(forum, "bob") is None


@pytest.mark.parametrize("email, message", [("", "Give your email address"),
                                            ("not-an-address", "does not look like an email"),
                                            ("eve@example.org\r\nBcc: x@evil.example", "does not look")])
async def test_a_bad_address_is_refused_beside_the_field(client, forum, email, message):
    response = await sign_up_page(client, "ada", email)
    assert response.status_code == 400 and message in response.text
    assert 'id="email-error"' in response.text and 'value="ada"' in response.text
    assert await user_row(forum, "ada") is None


async def test_the_api_takes_an_email_and_still_signs_up_without_one(client, forum, smtp):
    with_email = await client.post("/api/v1/users", json={"username": "ada", "password": PASSWORD,
                                                           "email": "ada@example.org"})
    assert with_email.status_code == 201 and "email" not in with_email.json()  # not public
    without = await client.post("/api/v1/users", json={"username": "bob", "password": PASSWORD})
    assert without.status_code == 201
    assert (await user_row(forum, "bob"))["email"] is None
    [mail] = await smtp.await_for(1)
    assert mail.rcpt_tos == ["ada@example.org"]
    headers = await api_token(client, "ada", signup=False)
    me = (await client.get("/api/v1/me", headers=headers)).json()
    assert me["email"] == "ada@example.org" and me["email_confirmed"] is False
    assert me["email_notifications"] == "immediately"


async def test_changing_the_address_on_settings_confirms_the_new_one_and_voids_old_links(
        client, forum, smtp):
    await sign_up_page(client, "ada", "ada@example.org")
    [first] = await smtp.await_for(1)
    old_link = next(link for link in first.links() if "/confirm/" in link)
    token = await csrf_token(client, "/settings")
    changed = await client.post("/settings/email", data={"email": "Ada@New.example", "csrf_token": token})
    assert changed.status_code == 303
    page = await client.get(changed.headers["location"])
    assert "We sent a confirmation link to ada@new.example" in page.text
    assert "waiting for you to follow the link" in page.text
    received = await smtp.await_for(2)
    assert received[1].rcpt_tos == ["ada@new.example"]
    new_link = next(link for link in received[1].links() if "/confirm/" in link)
    assert (await client.get(path_of(old_link))).status_code == 400
    assert (await client.get(path_of(new_link))).status_code == 200
    row = await user_row(forum, "ada")
    assert row["email"] == "ada@new.example" and row["email_confirmed_at"] is not None


async def test_settings_needs_a_session_and_a_csrf_token(client, other_client, forum, smtp):
    assert (await client.get("/settings")).headers["location"] == "/login?next=/settings"
    await sign_up_page(client, "ada", "ada@example.org")
    forged = await client.post("/settings/email", data={"email": "eve@evil.example"})
    assert forged.status_code == 403
    assert (await user_row(forum, "ada"))["email"] == "ada@example.org"
    anonymous = await submit(other_client, "/settings/email", {"email": "eve@evil.example"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


async def test_patch_me_changes_the_address_and_the_preference_or_nothing(client, forum, smtp):
    headers = await api_token(client, "ada")
    refused = await client.patch("/api/v1/me", headers=headers, json={
        "bio": "changed", "email": "nope", "email_notifications": "daily"})
    assert refused.status_code == 400 and set(refused.json()["error"]["fields"]) == {"email"}
    wrong = await client.patch("/api/v1/me", headers=headers, json={"email_notifications": "hourly"})
    assert wrong.status_code == 400 and "email_notifications" in wrong.json()["error"]["fields"]
    row = await user_row(forum, "ada")
    assert row["bio"] == "" and row["email"] is None and row["email_notifications"] == "immediately"
    done = await client.patch("/api/v1/me", headers=headers, json={
        "email": "ada@example.org", "email_notifications": "daily"})
    assert done.status_code == 200
    assert done.json()["email"] == "ada@example.org" and done.json()["email_notifications"] == "daily"
    [mail] = await smtp.await_for(1)
    assert mail.rcpt_tos == ["ada@example.org"]


async def outbox(database_url: str) -> list:
    from forum.db.engine import Database

    db = Database(database_url)
    await db.connect()
    try:
        return await db.fetch_all(sa.select(mail_outbox))
    finally:
        await db.disconnect()


async def test_a_killed_server_delays_mail_but_never_loses_or_repeats_it(database_url, tmp_path, smtp):
    """The mail is queued by a sign-up; the server cannot reach its SMTP server and is killed;
    restarted with a working one, it sends the mail, once."""
    import asyncio

    import httpx

    nowhere = {"FORUM_SMTP_URL": f"smtp://127.0.0.1:{free_port()}", "FORUM_BASE_URL": "http://x"}
    server = ServerProcess(database_url, log_path=tmp_path / "server.log", extra_env=nowhere).start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            created = await http.post("/api/v1/users", json={"username": "ada", "password": PASSWORD,
                                                             "email": "ada@example.org"})
            assert created.status_code == 201
        for _ in range(200):  # the first attempt fails: nothing listens there
            rows = await outbox(database_url)
            if rows and rows[0]["attempts"] >= 1 and rows[0]["last_error"]:
                break
            await asyncio.sleep(0.05)
        assert rows[0]["sent_at"] is None and "SMTPConnectError" in rows[0]["last_error"]
    finally:
        server.kill()
    restarted = ServerProcess(database_url, log_path=tmp_path / "server2.log",
                              extra_env={"FORUM_SMTP_URL": smtp.url, "FORUM_BASE_URL": "http://x"}).start()
    try:
        received = await smtp.await_for(1, seconds=30)
        for _ in range(200):  # marked sent after the server took it: the sender is done with it
            [row] = await outbox(database_url)
            if row["sent_at"] is not None:
                break
            await asyncio.sleep(0.05)
        assert row["sent_at"] is not None and row["attempts"] >= 2
        # Sent once: a row marked sent is never picked again, so no second copy can follow.
        assert len(smtp.received) == 1
        assert received[0].rcpt_tos == ["ada@example.org"]
    finally:
        restarted.stop()


async def test_an_address_the_server_refuses_is_recorded_and_shown_on_settings(client, forum, smtp):
    smtp.handler.refuse_first, smtp.handler.refuse_with = 1, "550 5.1.1 No such mailbox here"
    assert (await sign_up_page(client, "ada", "ada@example.org")).status_code == 303
    for _ in range(100):
        [row] = await forum.db.fetch_all(sa.select(mail_outbox))
        if row["failed_at"] is not None:
            break
        await asyncio.sleep(0.05)  # the app's sender loop tries it at once
    assert row["failed_at"] is not None and row["sent_at"] is None and row["attempts"] == 1
    assert "No such mailbox" in (await user_row(forum, "ada"))["email_problem"]
    page = await client.get("/settings")
    assert "Mail to this address failed" in page.text and "No such mailbox here" in page.text
    assert await forum.mailer.sender.send_due() == 0 and smtp.received == []  # never tried again
