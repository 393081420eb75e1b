"""Rate limits: 429 with Retry-After, a clear message, and nothing typed lost; counted in this
process's memory, or in Redis when the forum runs on it (tests/test_scale.py shows two
processes counting together)."""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import time

import httpx
import pytest
from asgi_lifespan import LifespanManager

from forum.app import create_app
from forum.ratelimit import RateLimiter, rate_limiter_for
from forum.ratelimit.limits import (
    EMAIL_CHANGES_PER_ACCOUNT,
    FAILED_LOGINS_PER_ACCOUNT,
    FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS,
    POSTS_PER_MEMBER,
    POSTS_PER_NEW_MEMBER,
    SIGNUPS_PER_ADDRESS,
    SLOW_LOGIN_SECONDS,
)
from forum.ratelimit.redis import RedisRateLimiter
from tests.conftest import make_client, skip_unless_required
from tests.helpers import PASSWORD, api_token, submit


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """Limits are engine-neutral: SQLite alone is enough here."""
    import shutil

    path = tmp_path / "forum.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def redis_url() -> str:
    if not os.environ.get("FORUM_TEST_REDIS_URL"):
        skip_unless_required("limits counted in Redis need FORUM_TEST_REDIS_URL=redis://host:6379/0; "
                             ".ci/run sets it")
    return os.environ["FORUM_TEST_REDIS_URL"]


@pytest.fixture(params=["memory", "redis"])
def limits_url(request) -> str:
    """Where the limits are counted. Tests run side by side on one Redis: each forum here has
    a database of its own, so a forum id and keys of its own (see rate_limiter_for)."""
    return "memory://" if request.param == "memory" else redis_url()


@pytest.fixture
async def limited_app(settings, limits_url):
    app = create_app(dataclasses.replace(settings, rate_limits=True, broadcast_url=limits_url))
    async with LifespanManager(app) as manager:
        manager.forum = manager._state["forum"]
        yield manager


@pytest.fixture
async def limited(limited_app):
    async with make_client(limited_app) as client:
        yield client, limited_app.forum


def client_from(manager, address: str) -> httpx.AsyncClient:
    """A client whose requests come from `address`, as uvicorn reports a peer (or a trusted
    proxy's X-Forwarded-For) to the app."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app, client=(address, 50000)),
                             base_url="http://testserver", follow_redirects=False)


async def test_sign_ups_per_address(limited):
    client, _ = limited
    allowed, _window = SIGNUPS_PER_ADDRESS
    for i in range(allowed):
        assert (
            await client.post("/api/v1/users", json={"username": f"user{i}", "password": PASSWORD})
        ).status_code == 201
    refused = await client.post("/api/v1/users", json={"username": "onemore", "password": PASSWORD})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) > 0
    page = await submit(
        client,
        "/signup",
        {"username": "formuser", "password": PASSWORD, "display_name": "Keep Me"},
        "/signup",
    )
    assert page.status_code == 429 and "Too many new accounts" in page.text
    assert 'value="formuser"' in page.text and 'value="Keep Me"' in page.text
    assert "retry-after" in page.headers


async def test_failed_log_ins_per_account_and_address(limited):
    client, _ = limited
    await client.post("/api/v1/users", json={"username": "target", "password": PASSWORD})
    allowed, _window = FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS
    for _ in range(allowed):
        wrong = await client.post("/api/v1/tokens", json={"username": "target", "password": "guess-guess"})
        assert wrong.status_code == 401
    locked = await client.post("/api/v1/tokens", json={"username": "target", "password": PASSWORD})
    assert locked.status_code == 429 and "failed log-ins" in locked.json()["error"]["message"]
    page = await submit(client, "/login", {"username": "target", "password": PASSWORD}, "/login")
    assert page.status_code == 429 and 'value="target"' in page.text


OWNER = "192.0.2.10"
ATTACKER = "203.0.113.66"
RIGHT = {"username": "rowan", "password": PASSWORD}
WRONG = {"username": "rowan", "password": "guess-guess"}


async def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(limited_app):
    async with client_from(limited_app, OWNER) as owner, client_from(limited_app, ATTACKER) as attacker:
        assert (await owner.post("/api/v1/users", json=RIGHT)).status_code == 201
        allowed, _window = FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS
        for _ in range(allowed):
            assert (await attacker.post("/api/v1/tokens", json=WRONG)).status_code == 401
        refused = await attacker.post("/api/v1/tokens", json=RIGHT)  # the pair refuses even the right one
        assert refused.status_code == 429 and "failed log-ins" in refused.json()["error"]["message"]
        assert (await owner.post("/api/v1/tokens", json=RIGHT)).status_code == 201
        assert (await submit(owner, "/login", RIGHT, "/login")).status_code == 303


async def test_past_the_account_ceiling_guesses_slow_down_and_the_owner_gets_in_and_is_told_once(
        limited_app):
    ceiling, _window = FAILED_LOGINS_PER_ACCOUNT
    per_pair, _window = FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS
    async with client_from(limited_app, OWNER) as owner:
        assert (await owner.post("/api/v1/users", json=RIGHT)).status_code == 201
        token = (await owner.post("/api/v1/tokens", json=RIGHT)).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        for i in range(ceiling // per_pair):  # a botnet: each address stays under its own limits
            async with client_from(limited_app, f"198.51.100.{i + 1}") as attacker:
                for _ in range(per_pair):
                    assert (await attacker.post("/api/v1/tokens", json=WRONG)).status_code == 401
        async with client_from(limited_app, "198.51.100.200") as attacker:
            started = time.monotonic()
            assert (await attacker.post("/api/v1/tokens", json=WRONG)).status_code == 401
            assert time.monotonic() - started >= SLOW_LOGIN_SECONDS
        started = time.monotonic()
        assert (await submit(owner, "/login", RIGHT, "/login")).status_code == 303
        assert time.monotonic() - started >= SLOW_LOGIN_SECONDS  # slowed, not refused
        told = (await owner.get("/api/v1/notifications", headers=headers)).json()["notifications"]
        assert [n["kind"] for n in told] == ["failed_logins"]
        message = f"Someone tried to sign in to your account {ceiling} times"
        assert message in told[0]["note"]
        assert message in (await owner.get("/notifications")).text


async def test_posts_per_member_per_minute_stricter_in_the_first_day(limited):
    client, forum = limited
    headers = await api_token(client, "newbie")
    allowed, _window = POSTS_PER_NEW_MEMBER
    payload = {"title": "Hello", "body": "Body", "categories": ["general-chat"]}
    for _ in range(allowed):
        assert (await client.post("/api/v1/threads", headers=headers, json=payload)).status_code == 201
    refused = await client.post("/api/v1/threads", headers=headers, json=payload)
    assert refused.status_code == 429 and "first day" in refused.json()["error"]["message"]
    assert POSTS_PER_NEW_MEMBER[0] < POSTS_PER_MEMBER[0]


async def test_a_rate_limited_reply_form_keeps_the_text(limited):
    client, forum = limited
    await submit(client, "/signup", {"username": "chatty", "password": PASSWORD}, "/signup")
    token = await client.get("/c/general-chat/new")
    thread = await submit(
        client,
        "/c/general-chat/new",
        {"title": "T", "body": "B", "categories": ["general-chat"]},
        "/c/general-chat/new",
    )
    thread_path = thread.headers["location"]
    thread_id = thread_path.split("/")[2]
    for i in range(POSTS_PER_NEW_MEMBER[0] - 1):
        assert (
            await submit(client, f"/t/{thread_id}/reply", {"body": f"r{i}"}, thread_path)
        ).status_code == 303
    refused = await submit(client, f"/t/{thread_id}/reply", {"body": "My long considered reply"}, thread_path)
    assert refused.status_code == 429 and "My long considered reply" in refused.text
    assert token.status_code == 200


async def test_the_limiter_forgets_and_can_be_switched_off():
    limiter = RateLimiter(enabled=False)
    for _ in range(100):
        await limiter.take("k", (1, 60), "no")
    enabled = RateLimiter(enabled=True)
    await enabled.take("k", (1, 60), "slow down")
    with pytest.raises(Exception, match="slow down"):
        await enabled.take("k", (1, 60), "slow down")


async def test_limits_fall_back_to_this_process_when_redis_is_out_of_reach(caplog):
    limiter = RedisRateLimiter("redis://127.0.0.1:9/0", "fallback")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="forum.ratelimit"):
        await limiter.take("k", (2, 60), "slow down")
        await limiter.hit("k")
        with pytest.raises(Exception, match="slow down"):
            await limiter.check("k", (2, 60), "slow down")
    assert [r.message for r in caplog.records].count(
        "Redis is out of reach: rate limits count in this process alone until it is back") == 1
    await limiter.close()


async def test_processes_of_one_forum_count_together_and_other_forums_apart():
    limits_url = redis_url()
    one_forum = secrets.token_hex(8)  # forum ids, as forum/db/forum_id.py makes them
    first, second = (rate_limiter_for(True, limits_url, one_forum) for _ in range(2))
    elsewhere = rate_limiter_for(True, limits_url, secrets.token_hex(8))
    await first.take("post:1", (2, 60), "slow down")
    await second.take("post:1", (2, 60), "slow down")
    with pytest.raises(Exception, match="slow down"):
        await first.take("post:1", (2, 60), "slow down")
    await elsewhere.take("post:1", (2, 60), "slow down")  # another forum's member 1
    for limiter in (first, second, elsewhere):
        await limiter.close()


async def test_reactions_per_member(limited):
    client, _ = limited
    from forum.ratelimit.limits import REACTIONS_PER_MEMBER

    author = await api_token(client, "author")
    thread = (await client.post("/api/v1/threads", headers=author, json={
        "title": "Reactions", "body": "React", "categories": ["general-chat"]})).json()
    post_id = (await client.get(f"/api/v1/threads/{thread['id']}")).json()["posts"][0]["id"]
    fan = await api_token(client, "fan")
    allowed, _window = REACTIONS_PER_MEMBER
    for n in range(allowed):
        method = client.put if n % 2 == 0 else client.delete
        assert (await method(f"/api/v1/posts/{post_id}/reactions/heart", headers=fan)).status_code == 200
    refused = await client.put(f"/api/v1/posts/{post_id}/reactions/heart", headers=fan)
    assert refused.status_code == 429 and "reacting faster" in refused.json()["error"]["message"]
    assert int(refused.headers["retry-after"]) > 0


async def test_a_newcomer_introduces_themselves_and_answers_two_welcomes_without_a_wait(limited):
    """The honest first minutes of a new member: an introduction, then a thank-you under each of
    the first two welcomes, all at once. A burst past that still waits."""
    client, forum = limited
    from forum.actions import posts as post_actions
    from tests.helpers import make_member

    await submit(client, "/signup", {"username": "nia", "password": PASSWORD,
                                     "email": "nia@example.org"}, "/signup")
    posted = await submit(client, "/welcome", {"body": "I run a food bank in Wrexham."}, "/welcome")
    assert posted.status_code == 303, posted.text
    thread_id = int(posted.headers["location"].split("/")[2])
    welcomes = [await post_actions.reply(forum, await make_member(forum, name), thread_id,
                                         f"Croeso! ({name})") for name in ("greta", "huw")]
    for welcome in welcomes:
        answer = await submit(client, f"/t/{thread_id}/reply",
                              {"body": "Diolch, thank you!", "parent_id": str(welcome["id"])},
                              f"/t/{thread_id}")
        assert answer.status_code == 303, answer.text
    burst = [await submit(client, f"/t/{thread_id}/reply", {"body": f"More {i}"}, f"/t/{thread_id}")
             for i in range(3)]
    assert 429 in [response.status_code for response in burst]


async def test_a_sign_up_refused_by_the_limit_keeps_every_field_but_the_password(limited):
    client, _ = limited
    allowed, _window = SIGNUPS_PER_ADDRESS
    for i in range(allowed):
        assert (await client.post("/api/v1/users", json={"username": f"early{i}", "password": PASSWORD})
                ).status_code == 201
    page = await submit(client, "/signup", {"username": "formuser", "password": "typed-secret-9",
                                            "display_name": "Keep Me", "email": "keep.me@example.org"},
                        "/signup")
    assert page.status_code == 429 and "Too many new accounts" in page.text
    assert 'value="formuser"' in page.text and 'value="Keep Me"' in page.text
    assert 'value="keep.me@example.org"' in page.text and "typed-secret-9" not in page.text


async def test_an_address_change_refused_by_the_limit_keeps_the_address_typed(limited):
    client, _ = limited
    signed_up = await submit(client, "/signup", {"username": "mover", "password": PASSWORD}, "/signup")
    assert signed_up.status_code == 303
    allowed, _window = EMAIL_CHANGES_PER_ACCOUNT
    for i in range(allowed):
        changed = await submit(client, "/settings/email", {"email": f"mover{i}@example.org"}, "/settings")
        assert changed.status_code == 303
    page = await submit(client, "/settings/email", {"email": "last.try@example.org"}, "/settings")
    assert page.status_code == 429 and "Too many address changes" in page.text
    assert 'value="last.try@example.org"' in page.text and int(page.headers["retry-after"]) > 0
