"""A member's own sessions and API tokens, and changing the password: pages and API."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from forum.auth import SESSION_COOKIE
from forum.clock import as_utc, utcnow
from forum.db import sessions, users
from forum.db.tables import api_tokens
from forum.db.tables import sessions as sessions_table
from tests.conftest import make_client
from tests.helpers import PASSWORD, api_token, csrf_token, sign_up, submit

NEW_PASSWORD = "a brand new passphrase"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Safari/537.36")


async def log_in(client, username: str, password: str = PASSWORD):
    return await submit(client, "/login", {"username": username, "password": password}, "/login")


async def signed_in(client) -> bool:
    return "Log out" in (await client.get("/")).text


async def session_ids(forum, username: str) -> list[int]:
    row = await users.by_username(forum.db, username)
    return [s["id"] for s in await sessions.sessions_of(forum.db, row["id"])]


async def change_password(client, current: str = PASSWORD, new: str = NEW_PASSWORD,
                          confirm: str | None = None, **extra: str):
    return await submit(client, "/account/password", {
        "current_password": current, "new_password": new,
        "confirm_password": new if confirm is None else confirm, **extra}, "/account/password")


# -- changing the password -------------------------------------------------------------------
async def test_password_change_ends_other_sessions_and_tokens_and_keeps_this_one(client, other_client, app):
    await sign_up(client, "ada")
    assert (await log_in(other_client, "ada")).status_code == 303
    token = await api_token(client, "ada", signup=False)
    response = await change_password(client)
    assert response.status_code == 200
    assert "Your password is changed" in response.text and "1 other session ended" in response.text
    assert "1 API token revoked" in response.text
    assert await signed_in(client)
    assert not await signed_in(other_client)
    # A token made with the old password is as stale as a session: it ends unless kept on purpose.
    assert (await client.get("/api/v1/me", headers=token)).status_code == 401
    async with make_client(app) as third:
        assert (await log_in(third, "ada")).status_code == 400
        assert (await log_in(third, "ada", NEW_PASSWORD)).status_code == 303


async def test_the_password_form_offers_to_keep_api_tokens_unticked(client):
    await sign_up(client, "bea")
    token = await api_token(client, "bea", signup=False)
    page = (await client.get("/account/password")).text
    assert re.search(r'<input type="checkbox" name="keep_tokens"\s*>', page)  # not ticked
    response = await change_password(client, keep_tokens="on")
    assert response.status_code == 200 and "revoked" not in response.text
    assert (await client.get("/api/v1/me", headers=token)).status_code == 200
    assert await signed_in(client)


REFUSED_CHANGES = [
    ("wrong password!", NEW_PASSWORD, NEW_PASSWORD, "current_password", "not your current password"),
    (PASSWORD, "short", "short", "new_password", "at least 8 characters"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "confirm_password", "do not match"),
    (PASSWORD, PASSWORD, PASSWORD, "new_password", "different from your current one"),
]


async def test_a_refused_password_change_explains_and_changes_nothing(client, other_client, forum):
    await sign_up(client, "cal")
    await log_in(other_client, "cal")
    for current, new, confirm, field, message in REFUSED_CHANGES:
        response = await change_password(client, current, new, confirm, keep_tokens="on")
        assert response.status_code == 400, field
        assert "<h1>Change your password</h1>" in response.text  # the same page, with the message
        assert message in response.text and f'id="{field}-error"' in response.text
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)
        for typed in {current, new, confirm}:
            assert f'value="{typed}"' not in response.text  # nothing typed in a password field returns
        assert 'name="keep_tokens" checked' in response.text  # the tick box is kept
    assert await signed_in(other_client)
    row = await users.by_username(forum.db, "cal")
    assert forum.passwords.verify(row["password_hash"], PASSWORD)


async def test_account_pages_ask_visitors_to_log_in(client):
    for page in ("/account/password", "/account/sessions"):
        response = await client.get(page)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={page}"


# -- the sessions page -----------------------------------------------------------------------
async def test_sessions_page_lists_sessions_and_ends_one(client, other_client, forum):
    client.headers["user-agent"] = FIREFOX_LINUX
    other_client.headers["user-agent"] = CHROME_WINDOWS
    await sign_up(client, "dot")
    await log_in(other_client, "dot")
    page = (await client.get("/account/sessions")).text
    assert "Firefox on Linux" in page and "Chrome on Windows" in page
    assert page.count("(this session)") == 1
    this_row = re.search(r'<tr id="session-(\d+)" class="current">.*?</tr>', page, re.S)
    assert this_row and "Firefox on Linux" in this_row.group(0)
    other_id = next(i for i in await session_ids(forum, "dot") if str(i) != this_row.group(1))
    response = await submit(client, f"/account/sessions/{other_id}/end", {}, "/account/sessions")
    assert response.status_code == 303
    assert "That session has ended" in (await client.get(response.headers["location"])).text
    assert not await signed_in(other_client)
    assert await signed_in(client)
    assert "Chrome on Windows" not in (await client.get("/account/sessions")).text


async def test_end_all_other_sessions(client, other_client, app, forum):
    await sign_up(client, "eve")
    await log_in(other_client, "eve")
    async with make_client(app) as third:
        await log_in(third, "eve")
        assert len(await session_ids(forum, "eve")) == 3
        response = await submit(client, "/account/sessions/end-others", {}, "/account/sessions")
        assert response.status_code == 303
        assert not await signed_in(third)
    assert not await signed_in(other_client)
    assert await signed_in(client)
    assert len(await session_ids(forum, "eve")) == 1


async def test_another_member_cannot_end_your_sessions_or_tokens(client, other_client, forum):
    await sign_up(client, "fin")
    fin_token = await api_token(client, "fin", signup=False)
    await sign_up(other_client, "gil")
    gil_token = await api_token(other_client, "gil", signup=False)
    [fin_session] = await session_ids(forum, "fin")
    fin_token_id = (await client.get("/api/v1/me/tokens", headers=fin_token)).json()["tokens"][0]["id"]
    for path in (f"/account/sessions/{fin_session}/end", f"/account/tokens/{fin_token_id}/revoke"):
        response = await submit(other_client, path, {}, "/account/sessions")
        assert response.status_code == 404, path
    for path in (f"/api/v1/me/sessions/{fin_session}", f"/api/v1/me/tokens/{fin_token_id}"):
        assert (await other_client.delete(path, headers=gil_token)).status_code == 404, path
    assert await signed_in(client)
    assert (await client.get("/api/v1/me", headers=fin_token)).status_code == 200
    gil_page = (await other_client.get("/account/sessions")).text
    assert f'id="session-{fin_session}"' not in gil_page and f'id="token-{fin_token_id}"' not in gil_page


async def test_every_form_needs_its_csrf_token(client, other_client, forum):
    await sign_up(client, "hum")
    await log_in(other_client, "hum")
    token_headers = await api_token(client, "hum", signup=False)
    token_id = (await client.get("/api/v1/me/tokens", headers=token_headers)).json()["tokens"][0]["id"]
    other_session = max(await session_ids(forum, "hum"))
    await csrf_token(client)
    for path, data in [
        ("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                               "confirm_password": NEW_PASSWORD}),
        (f"/account/sessions/{other_session}/end", {}),
        ("/account/sessions/end-others", {}),
        ("/account/tokens", {"password": PASSWORD}),
        (f"/account/tokens/{token_id}/revoke", {}),
    ]:
        for forged in ({}, {"csrf_token": "0" * 64}):
            assert (await client.post(path, data={**data, **forged})).status_code == 403, path
    # Cookie-authenticated API writes need the header too.
    assert (await client.delete(f"/api/v1/me/sessions/{other_session}")).status_code == 403
    assert (await client.post("/api/v1/me/password", json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD})).status_code == 403
    assert await signed_in(other_client)
    assert (await client.get("/api/v1/me", headers=token_headers)).status_code == 200
    assert len((await client.get("/api/v1/me/tokens", headers=token_headers)).json()["tokens"]) == 1


async def test_a_token_made_on_the_page_is_shown_once_and_revoking_it_stops_it(client, forum):
    await sign_up(client, "ida")
    refused = await submit(client, "/account/tokens", {"password": "not my password"}, "/account/sessions")
    assert refused.status_code == 400 and "That is not your current password" in refused.text
    assert "You have no API tokens" in refused.text
    made = await submit(client, "/account/tokens", {"password": PASSWORD}, "/account/sessions")
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    token = re.search(r'<code id="new-token">([^<]+)</code>', made.text).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=headers)).json()["username"] == "ida"
    page = (await client.get("/account/sessions")).text
    assert token not in page and "Token " in page
    stored = await forum.db.fetch_all(sa.select(api_tokens.c.token_hash))
    assert token not in {r["token_hash"] for r in stored}
    token_id = re.search(r'id="token-(\d+)"', page).group(1)
    response = await submit(client, f"/account/tokens/{token_id}/revoke", {}, "/account/sessions")
    assert response.status_code == 303
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert "You have no API tokens" in (await client.get("/account/sessions")).text


async def test_ending_this_session_logs_out(client, forum):
    await sign_up(client, "jan")
    profile = (await client.get("/u/jan")).text
    assert 'href="/account/password"' in profile and 'href="/account/sessions"' in profile
    form = (await client.get("/account/password")).text
    for field, label in [("current_password", "Current password"), ("new_password", "New password"),
                         ("confirm_password", "Confirm new password")]:
        assert f'<label for="{field}">{label}</label>' in form
    [mine] = await session_ids(forum, "jan")
    response = await submit(client, f"/account/sessions/{mine}/end", {}, "/account/sessions")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert not await signed_in(client)
    assert await session_ids(forum, "jan") == []
    assert 'href="/account/sessions"' not in (await client.get("/u/jan")).text


async def test_a_session_ends_on_the_server_when_its_cookie_would_have(client, forum):
    """The cookie lives SESSION_LIFETIME from sign-in; a copy of it kept longer is refused."""
    await sign_up(client, "ned")
    row = await users.by_username(forum.db, "ned")
    mine = sessions_table.c.user_id == row["id"]

    async def opened(ago: timedelta) -> None:
        await forum.db.execute(sessions_table.update().where(mine).values(created_at=utcnow() - ago))

    await opened(sessions.SESSION_LIFETIME - timedelta(minutes=1))
    assert await signed_in(client)
    await opened(sessions.SESSION_LIFETIME + timedelta(minutes=1))
    assert not await signed_in(client)
    assert (await client.get("/api/v1/me")).status_code == 401
    assert await session_ids(forum, "ned") == []  # not listed as live either
    assert await log_in(client, "ned")
    assert await signed_in(client)
    # Signing in cleared the expired row away: only the new session is left.
    assert await forum.db.fetch_val(sa.select(sa.func.count()).select_from(sessions_table).where(mine)) == 1


# -- the API -----------------------------------------------------------------------------------
async def test_api_lists_and_ends_sessions_and_tokens(client, other_client, forum):
    client.headers["user-agent"] = FIREFOX_LINUX
    await sign_up(client, "kit")
    await log_in(other_client, "kit")
    headers = await api_token(client, "kit", signup=False)
    listed = (await client.get("/api/v1/me/sessions")).json()["sessions"]
    assert len(listed) == 2 and sum(s["current"] for s in listed) == 1
    current = next(s for s in listed if s["current"])
    assert current["device"] == "Firefox on Linux" and current["user_agent"] == FIREFOX_LINUX
    other = next(s for s in listed if not s["current"])
    with_bearer = (await client.get("/api/v1/me/sessions", headers=headers)).json()["sessions"]
    assert not any(s["current"] for s in with_bearer)  # a token is not a session
    assert (await client.delete(f"/api/v1/me/sessions/{other['id']}", headers=headers)).status_code == 204
    assert not await signed_in(other_client)
    for missing in (other["id"], 2**40):
        assert (await client.delete(f"/api/v1/me/sessions/{missing}", headers=headers)).status_code == 404
    bad = await client.delete("/api/v1/me/sessions/abc", headers=headers)
    assert bad.status_code == 400 and "session_id" in bad.json()["error"]["fields"]
    tokens = (await client.get("/api/v1/me/tokens", headers=headers)).json()["tokens"]
    assert len(tokens) == 1 and set(tokens[0]) == {"id", "created_at", "last_used_at"}
    assert tokens[0]["last_used_at"] is not None
    assert (await client.delete(f"/api/v1/me/tokens/{tokens[0]['id']}", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me/tokens", headers=headers)).status_code == 401


async def test_api_password_change(client, other_client):
    await sign_up(client, "lou")
    await log_in(other_client, "lou")
    headers = await api_token(client, "lou", signup=False)
    wrong = await client.post("/api/v1/me/password", headers=headers, json={
        "current_password": "nope nope nope", "new_password": "x"})
    assert wrong.status_code == 400
    assert set(wrong.json()["error"]["fields"]) == {"current_password", "new_password"}
    # With the cookie and its CSRF header, this session is kept; the other one and the token end.
    csrf = {"X-CSRF-Token": await csrf_token(client)}
    done = await client.post("/api/v1/me/password", headers=csrf, json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert done.status_code == 200 and done.json() == {"sessions_ended": 1, "tokens_revoked": 1}
    assert await signed_in(client) and not await signed_in(other_client)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_api_password_change_can_keep_tokens(client):
    await sign_up(client, "lea")
    headers = await api_token(client, "lea", signup=False)
    not_a_flag = await client.post("/api/v1/me/password", headers=headers, json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "keep_tokens": "yes"})
    assert not_a_flag.status_code == 400 and "keep_tokens" in not_a_flag.json()["error"]["fields"]
    # With a Bearer token there is no session to keep: every session ends; kept, the token works.
    kept = await client.post("/api/v1/me/password", headers=headers, json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "keep_tokens": True})
    assert kept.status_code == 200 and kept.json() == {"sessions_ended": 1, "tokens_revoked": 0}
    assert not await signed_in(client)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    # Not kept, the token making the change goes with the others.
    again = await client.post("/api/v1/me/password", headers=headers, json={
        "current_password": NEW_PASSWORD, "new_password": PASSWORD})
    assert again.status_code == 200 and again.json() == {"sessions_ended": 0, "tokens_revoked": 1}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


# -- last seen, cheaply ----------------------------------------------------------------------
async def test_last_seen_and_last_used_are_written_at_most_once_a_minute(client, forum):
    response = await sign_up(client, "max")
    token = forum.signer.unsign_session(response.cookies[SESSION_COOKIE])
    row = await users.by_username(forum.db, "max")
    long_ago = utcnow() - timedelta(minutes=5)
    await forum.db.execute(sessions_table.update().where(sessions_table.c.user_id == row["id"])
                           .values(last_seen_at=long_ago))
    await sessions.user_for_session(forum.db, token)
    [first] = await sessions.sessions_of(forum.db, row["id"])
    assert as_utc(first["last_seen_at"]) > long_ago + timedelta(minutes=4)
    await sessions.user_for_session(forum.db, token)
    [second] = await sessions.sessions_of(forum.db, row["id"])
    assert second["last_seen_at"] == first["last_seen_at"]  # within the minute: no write

    headers = await api_token(client, "max", signup=False)
    assert (await sessions.api_tokens_of(forum.db, row["id"]))[0]["last_used_at"] is None
    await client.get("/api/v1/me", headers=headers)
    [used] = await sessions.api_tokens_of(forum.db, row["id"])
    assert used["last_used_at"] is not None
    await client.get("/api/v1/me", headers=headers)
    assert (await sessions.api_tokens_of(forum.db, row["id"]))[0]["last_used_at"] == used["last_used_at"]
