"""Files no post uses are removed after a day, bytes and all, on both stores; a file a post
shows, a recent one, and bytes another upload shares are kept."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager

from forum.actions.upload_sweep import sweep_periodically, sweep_unused_uploads
from forum.app import create_app
from forum.clock import utcnow
from forum.db.tables import uploads
from tests import sample_files as sample
from tests.conftest import make_client
from tests.helpers import api_token, start_thread


@pytest.fixture(params=["file", "s3"])
async def app_and_client(request: pytest.FixtureRequest, settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    url = settings.uploads_url if request.param == "file" else request.getfixturevalue("s3_uploads_url")
    async with LifespanManager(create_app(dataclasses.replace(settings, uploads_url=url))) as app:
        async with make_client(app) as client:
            yield app._state["forum"], client


async def send(client: Any, member: dict[str, str], name: str, data: bytes, alt: str = "") -> dict[str, Any]:
    response = await client.post("/api/v1/uploads", headers=member, files={"file": (name, data)},
                                 data={"alt": alt})
    assert response.status_code == 201, response.text
    return response.json()


async def age(forum: Any, upload_id: int, days: float) -> None:
    await forum.db.execute(uploads.update().where(uploads.c.id == upload_id)
                           .values(created_at=utcnow() - timedelta(days=days)))


def keys_of(upload: dict[str, Any]) -> set[str]:
    return {upload[name].removeprefix("/uploads/") for name in ("url", "display_url", "thumbnail_url")
            if name in upload}


async def upload_ids(forum: Any) -> set[int]:
    return {row["id"] for row in await forum.db.fetch_all(sa.select(uploads.c.id))}


async def test_files_no_post_used_for_a_day_are_removed_with_their_bytes(app_and_client):
    forum, client = app_and_client
    member = await api_token(client, "pia")
    abandoned = await send(client, member, "wide.png", sample.png((2000, 600)), alt="A wide view")
    assert len(keys_of(abandoned)) == 3
    recent = await send(client, member, "notes.txt", b"notes for later")
    posted = await send(client, member, "minutes.pdf", sample.PDF)
    await start_thread(client, member, body=f"[Minutes]({posted['url']})")
    for upload in (abandoned, recent, posted):
        await age(forum, upload["id"], days=2 if upload is not recent else 0.5)

    assert await sweep_unused_uploads(forum, utcnow()) == 1
    assert await upload_ids(forum) == {recent["id"], posted["id"]}
    for key in keys_of(abandoned):
        assert not await forum.uploads.exists(key)
    assert (await client.get(abandoned["url"])).status_code == 404
    for upload in (recent, posted):
        assert (await client.get(upload["url"])).status_code == 200
    assert await sweep_unused_uploads(forum, utcnow()) == 0  # nothing left to do


async def test_bytes_another_upload_shares_are_kept(app_and_client):
    forum, client = app_and_client
    pia, ren = await api_token(client, "pia"), await api_token(client, "ren")
    first = await send(client, pia, "bay.png", sample.png(), alt="The bay")
    second = await send(client, ren, "same-bay.png", sample.png(), alt="Our bay")
    assert first["url"] == second["url"]  # the same bytes: one stored file
    await age(forum, first["id"], days=3)  # the second is new: ren is still writing

    assert await sweep_unused_uploads(forum, utcnow()) == 1
    assert await upload_ids(forum) == {second["id"]}
    assert await forum.uploads.exists(second["url"].removeprefix("/uploads/"))
    assert (await client.get(second["url"])).status_code == 200


async def test_the_sweep_runs_in_the_background(app_and_client):
    forum, client = app_and_client
    member = await api_token(client, "pia")
    abandoned = await send(client, member, "notes.txt", b"never posted")
    await age(forum, abandoned["id"], days=2)
    loop = asyncio.create_task(sweep_periodically(forum, every=0.05))
    try:
        for _ in range(100):
            if not await upload_ids(forum):
                break
            await asyncio.sleep(0.05)
    finally:
        loop.cancel()
    assert await upload_ids(forum) == set()
    assert not await forum.uploads.exists(abandoned["url"].removeprefix("/uploads/"))


async def test_two_sweepers_at_once_remove_each_file_once(app_and_client):
    forum, client = app_and_client
    member = await api_token(client, "pia")
    for number in range(5):
        upload = await send(client, member, f"n{number}.txt", f"note {number}".encode())
        await age(forum, upload["id"], days=2)
    removed = await asyncio.gather(*(sweep_unused_uploads(forum, utcnow()) for _ in range(2)))
    assert sorted(removed) in ([0, 5], [1, 4], [2, 3]) and sum(removed) == 5
    assert await upload_ids(forum) == set()
