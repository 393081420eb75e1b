"""Forgot a password: the same answer for any address, a one-use link valid an hour, mailed
through a real SMTP server; a reset ends every session and API token; rate limits."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.clock import utcnow
from forum.db.tables import account_tokens
from forum.settings import Settings
from tests.helpers import PASSWORD, api_token, csrf_token, submit
from tests.mail_server import SmtpServer, mail_settings, path_of

NEW_PASSWORD = "a brand new passphrase"



@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return mail_settings(database_url, smtp)


async def member_with_email(client, username: str = "ada", email: str = "ada@example.org") -> dict:
    """Signed up through the API with an address; an API token, and the confirmation mail sent."""
    created = await client.post("/api/v1/users", json={"username": username, "password": PASSWORD,
                                                       "email": email})
    assert created.status_code == 201
    return await api_token(client, username, signup=False)


async def ask_by_page(client, email: str):
    return await submit(client, "/password-reset", {"email": email}, "/password-reset")


def reset_link(mail) -> str:
    [link] = [link for link in mail.links() if "/password-reset/" in link]
    return path_of(link)


async def test_the_answer_is_the_same_for_known_and_unknown_addresses(client, forum, smtp):
    await member_with_email(client)
    await smtp.await_for(1)  # the confirmation
    known = await ask_by_page(client, "ADA@example.org")
    unknown = await ask_by_page(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert "is the address of an account here" in known.text
    assert same_page(known.text, "ADA@example.org") == same_page(unknown.text, "nobody@example.org")
    received = await smtp.await_for(2)
    assert [m.rcpt_tos for m in received] == [["ada@example.org"], ["ada@example.org"]]
    assert "Reset your password" in received[1].message["Subject"]
    api_known = await client.post("/api/v1/password-reset", json={"email": "ada@example.org"})
    api_unknown = await client.post("/api/v1/password-reset", json={"email": "nobody@example.org"})
    assert api_known.status_code == api_unknown.status_code == 202
    assert api_known.json() == api_unknown.json()
    # The known address is mailed again, the unknown one not; waiting for it also lets the test
    # end with no mail half sent to a server about to stop.
    received = await smtp.await_for(3)
    assert [m.rcpt_tos for m in received] == [["ada@example.org"]] * 3


def same_page(text: str, email: str) -> str:
    """The page but for the address typed and the CSRF token."""
    from tests.helpers import CSRF_META

    return CSRF_META.sub("", text).replace(email, "X")


async def test_a_reset_sets_the_password_once_and_ends_every_session_and_token(
        client, other_client, forum, smtp):
    headers = await member_with_email(client)
    logged_in = await submit(other_client, "/login", {"username": "ada", "password": PASSWORD}, "/login")
    assert logged_in.status_code == 303
    assert (await other_client.get("/settings")).status_code == 200
    await ask_by_page(client, "ada@example.org")
    mail = (await smtp.await_for(2))[1]
    link = reset_link(mail)
    assert f'href="http://testserver{link}"' in mail.part("html")
    # Only the hash of the token is kept.
    stored = await forum.db.fetch_all(sa.select(account_tokens.c.token_hash))
    assert link.rsplit("/", 1)[1] not in str([r[0] for r in stored])

    form = await client.get(link)
    assert form.status_code == 200 and '<label for="password">New password</label>' in form.text
    short = await submit(client, link, {"password": "short"}, link)
    assert short.status_code == 400 and "at least 8" in short.text
    done = await submit(client, link, {"password": NEW_PASSWORD}, link)
    assert done.status_code == 200 and "Your new password is set" in done.text

    assert (await other_client.get("/settings")).status_code == 303  # signed out there
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401  # token revoked
    old = await submit(other_client, "/login", {"username": "ada", "password": PASSWORD}, "/login")
    assert old.status_code == 400
    new = await submit(other_client, "/login", {"username": "ada", "password": NEW_PASSWORD}, "/login")
    assert new.status_code == 303
    again = await submit(client, link, {"password": "yet another password"}, link)
    assert again.status_code == 400 and "used or has expired" in again.text
    assert (await client.get(link)).status_code == 400


async def test_a_link_older_than_an_hour_does_nothing(client, forum, smtp):
    await member_with_email(client)
    await client.post("/api/v1/password-reset", json={"email": "ada@example.org"})
    link = reset_link((await smtp.await_for(2))[1])
    await forum.db.execute(account_tokens.update().values(expires_at=utcnow() - timedelta(seconds=1)))
    response = await client.post(f"/api/v1{link}", json={"password": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"token": "This link has been used or has expired; "
                                                           "ask for a new one."}
    assert (await client.post("/api/v1/tokens", json={"username": "ada", "password": PASSWORD})
            ).status_code == 201


async def test_the_api_sets_the_password_and_says_what_ended(client, forum, smtp):
    await member_with_email(client)
    await client.post("/api/v1/password-reset", json={"email": "ada@example.org"})
    link = reset_link((await smtp.await_for(2))[1])
    weak = await client.post(f"/api/v1{link}", json={"password": "x"})
    assert weak.status_code == 400 and "password" in weak.json()["error"]["fields"]
    done = await client.post(f"/api/v1{link}", json={"password": NEW_PASSWORD})
    assert done.status_code == 200 and done.json() == {"sessions_ended": 0, "tokens_revoked": 1}
    bad = await client.post("/api/v1/password-reset", json={"email": "not an address"})
    assert bad.status_code == 400 and "email" in bad.json()["error"]["fields"]


async def test_asking_needs_a_csrf_token_on_the_page(client, forum, smtp):
    await member_with_email(client)
    await csrf_token(client, "/password-reset")
    forged = await client.post("/password-reset", data={"email": "ada@example.org"})
    assert forged.status_code == 403
    assert len(await smtp.await_for(2, seconds=2)) == 1  # the confirmation only


async def test_resets_are_limited_per_address_whether_or_not_it_is_known(settings, smtp):
    from asgi_lifespan import LifespanManager

    from forum.app import create_app
    from tests.conftest import make_client

    app = create_app(dataclasses.replace(settings, rate_limits=True))
    async with LifespanManager(app) as manager, make_client(manager) as client:
        await member_with_email(client)
        for email in ("ada@example.org", "nobody@example.org"):
            answers = [(await client.post("/api/v1/password-reset", json={"email": email})).status_code
                       for _ in range(4)]
            assert answers == [202, 202, 202, 429]
        page = await ask_by_page(client, "ada@example.org")
        assert page.status_code == 429 and "Too many reset requests" in page.text
        assert 'value="ada@example.org"' in page.text
        assert len(await smtp.await_for(5, seconds=5)) == 4  # the confirmation and three links
