"""Sign up, log in, log out, sessions, CSRF and profiles."""

from __future__ import annotations

import pytest

from forum.auth import SESSION_COOKIE
from forum.db import users
from tests.helpers import PASSWORD, csrf_token, sign_up, submit


async def test_sign_up_logs_in_and_stores_an_argon2_hash(client, forum):
    response = await sign_up(client, "Alice_1", display_name="Alice Jones")
    assert response.headers["location"] == "/welcome"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test
    row = await users.by_username(forum.db, "alice_1")
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    page = await client.get("/")
    assert "Alice Jones" in page.text and "Log out" in page.text


async def test_session_cookie_is_secure_over_https(app):
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app.app),
                                 base_url="https://testserver") as client:
        response = await sign_up(client, "secure_sam")
        assert "Secure" in response.headers["set-cookie"]


async def test_usernames_are_unique_without_regard_to_case(client, other_client):
    await sign_up(client, "Bob")
    response = await submit(other_client, "/signup",
                            {"username": "bOB", "password": PASSWORD}, "/signup")
    assert response.status_code == 400
    assert "That username is taken" in response.text
    assert 'value="bOB"' in response.text  # what they typed is kept


@pytest.mark.parametrize("username,password,field_message", [
    ("ab", PASSWORD, "Use 3 to 30 letters"),
    ("a" * 31, PASSWORD, "Use 3 to 30 letters"),
    ("has space", PASSWORD, "Use 3 to 30 letters"),
    ("emoji😀", PASSWORD, "Use 3 to 30 letters"),
    ("", PASSWORD, "Choose a username"),
    ("carol", "short", "at least 8 characters"),
])
async def test_sign_up_rules_are_explained_beside_the_field(client, username, password, field_message):
    response = await submit(client, "/signup", {"username": username, "password": password,
                                                "display_name": "Carol Ann"}, "/signup")
    assert response.status_code == 400
    assert field_message in response.text
    assert 'class="field-error"' in response.text and 'aria-invalid="true"' in response.text
    assert 'value="Carol Ann"' in response.text
    assert f'value="{password}"' not in response.text  # a password is never echoed back


async def test_boundary_usernames_are_accepted(client, other_client):
    await sign_up(client, "abc")
    await sign_up(other_client, "a-b_c" + "x" * 25)


async def test_log_in_and_out(client, other_client):
    await sign_up(client, "dave")
    response = await submit(other_client, "/login", {"username": "DAVE", "password": PASSWORD}, "/login")
    assert response.status_code == 303
    assert "Log out" in (await other_client.get("/")).text
    response = await submit(other_client, "/logout", {})
    assert response.status_code == 303
    assert "Log out" not in (await other_client.get("/")).text


async def test_log_out_ends_the_session_on_the_server(client):
    response = await sign_up(client, "erin")
    stolen = response.cookies[SESSION_COOKIE]
    await submit(client, "/logout", {})
    client.cookies.set(SESSION_COOKIE, stolen)
    assert "Log out" not in (await client.get("/")).text


async def test_log_in_rotates_the_session(client, other_client):
    first = (await sign_up(client, "fay")).cookies[SESSION_COOKIE]
    response = await submit(client, "/login", {"username": "fay", "password": PASSWORD}, "/login")
    assert response.cookies[SESSION_COOKIE] != first
    other_client.cookies.set(SESSION_COOKIE, first)
    assert "Log out" not in (await other_client.get("/")).text


async def test_wrong_password_keeps_the_username(client):
    await sign_up(client, "gus")
    await submit(client, "/logout", {})
    response = await submit(client, "/login", {"username": "gus", "password": "wrong-password"}, "/login")
    assert response.status_code == 400
    assert "do not match" in response.text and 'value="gus"' in response.text


async def test_log_in_only_redirects_within_the_site(client):
    await sign_up(client, "hal")
    await submit(client, "/logout", {})
    response = await submit(client, "/login", {"username": "hal", "password": PASSWORD,
                                               "next": "//evil.example/"}, "/login")
    assert response.headers["location"] == "/"


async def test_tampered_session_cookie_is_ignored(client):
    client.cookies.set(SESSION_COOKIE, "forged.value")
    response = await client.get("/")
    assert response.status_code == 200 and "Log out" not in response.text


@pytest.mark.parametrize("path,data", [
    ("/signup", {"username": "ivy", "password": PASSWORD}),
    ("/login", {"username": "ivy", "password": PASSWORD}),
    ("/logout", {}),
])
async def test_forms_without_a_valid_csrf_token_are_rejected(client, path, data):
    await csrf_token(client)  # the browser has its CSRF cookie
    missing = await client.post(path, data=data)
    forged = await client.post(path, data={**data, "csrf_token": "0" * 64})
    assert missing.status_code == forged.status_code == 403
    assert "expired" in missing.text


async def test_profile_page(client):
    await sign_up(client, "jo_w", display_name="Jo Williams")
    response = await client.get("/u/JO_W")
    assert response.status_code == 200
    assert "Jo Williams" in response.text and "@jo_w" in response.text and "joined" in response.text
    assert (await client.get("/u/nobody")).status_code == 404


async def test_every_page_carries_the_security_headers(client):
    for path in ("/", "/signup", "/u/nobody", "/api/v1/categories", "/static/forum.css"):
        headers = (await client.get(path)).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_the_forum_hashes_at_argon2s_own_cost_and_has_no_switch_to_lower_it():
    """The tests hand argon2's cheapest profile in (tests/forum_command.py); nothing in the
    environment can do that to the forum itself."""
    from pathlib import Path

    from argon2 import PasswordHasher

    import forum
    from forum.auth import Passwords
    from forum.settings import Settings

    settings = Settings.from_env({"FORUM_SECRET_KEY": "k"})
    real = PasswordHasher()
    real_cost = f"m={real.memory_cost},t={real.time_cost},p={real.parallelism}"
    assert real_cost in Passwords(settings.password_hasher).hash("a long password")
    product = Path(forum.__file__).parent
    assert [p.name for p in product.rglob("*.py") if "FORUM_TEST" in p.read_text()] == []


async def test_the_app_hashes_with_the_hasher_its_settings_carry(client, forum):
    from tests.forum_command import CHEAP_HASHER

    cheap = CHEAP_HASHER
    await sign_up(client, "cheap_chris")
    csrf = {"X-CSRF-Token": await csrf_token(client)}
    changed = await client.post("/api/v1/me/password", headers=csrf, json={
        "current_password": PASSWORD, "new_password": "another long one"})
    assert changed.status_code == 200
    row = await users.by_username(forum.db, "cheap_chris")
    assert f"m={cheap.memory_cost},t={cheap.time_cost},p={cheap.parallelism}" in row["password_hash"]
