"""POST /api/v1/uploads and GET /uploads/{key}: what is kept, what is refused, how it is served."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager
from PIL import Image

from forum.app import create_app
from forum.db.tables import uploads
from tests import sample_files as sample
from tests.conftest import make_client
from tests.helpers import api_token, csrf_token, sign_up, start_thread

IMAGE_HEADERS = {"content-security-policy": "default-src 'none'; sandbox",
                 "x-content-type-options": "nosniff",
                 "cache-control": "public, max-age=31536000, immutable"}


async def send(client: Any, headers: dict[str, str], name: str, data: bytes, alt: str | None = None,
               claimed: str = "application/octet-stream") -> Any:
    return await client.post("/api/v1/uploads", headers=headers, files={"file": (name, data, claimed)},
                             data={} if alt is None else {"alt": alt})


async def stored_files(forum: Any) -> int:
    return await forum.db.fetch_val(sa.select(sa.func.count()).select_from(uploads))


def files_on_disk(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]


async def test_a_photo_is_reencoded_turned_upright_and_stripped_of_its_metadata(client, tmp_path):
    member = await api_token(client, "pia")
    photo = sample.jpeg((400, 200), gps=True, rotated=True)
    assert Image.open(io.BytesIO(photo)).getexif().get(sample.GPS_IFD)  # the original says where
    response = await send(client, member, "holiday.jpg", photo, alt="A red wall", claimed="image/jpeg")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == "image/jpeg" and body["alt"] == "A red wall"
    assert (body["width"], body["height"]) == (200, 400)  # the way the camera was held
    served = await client.get(body["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    for name, value in IMAGE_HEADERS.items():
        assert served.headers[name] == value
    assert served.headers["content-disposition"].startswith("inline")
    kept = Image.open(io.BytesIO(served.content))
    assert kept.size == (200, 400) and not kept.getexif() and "comment" not in kept.info
    assert b"camera serial" not in served.content
    thumbnail = Image.open(io.BytesIO((await client.get(body["thumbnail_url"])).content))
    assert max(thumbnail.size) <= 320


async def test_a_large_picture_gets_a_page_width_copy_and_a_thumbnail(client):
    member = await api_token(client, "pia")
    response = await send(client, member, "wide.png", sample.png((3000, 1000)), alt="A wide view")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["width"], body["height"], body["content_type"]) == (3000, 1000, "image/png")
    display = Image.open(io.BytesIO((await client.get(body["display_url"])).content))
    assert display.size == (1280, 427)
    thumbnail = Image.open(io.BytesIO((await client.get(body["thumbnail_url"])).content))
    assert thumbnail.size == (320, 107)


async def test_a_gif_keeps_its_first_frame_and_drops_what_was_appended(client):
    member = await api_token(client, "pia")
    polyglot = sample.gif() + sample.HTML
    response = await send(client, member, "funny.gif", polyglot, alt="A blank frame")
    assert response.status_code == 201, response.text
    served = await client.get(response.json()["url"])
    assert served.headers["content-type"] == "image/png"
    assert b"<script" not in served.content and b"<html" not in served.content.lower()


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("minutes.pdf", sample.PDF, "application/pdf"),
    ("report.docx", sample.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("budget.xlsx", sample.xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("notes.odt", sample.odt(), "application/vnd.oasis.opendocument.text"),
    ("old.doc", sample.OLE_DOC, "application/msword"),
    ("members.csv", "name,town\nAnn,Zürich\n".encode(), "text/csv; charset=utf-8"),
    ("readme.txt", b"Plain words.\n", "text/plain; charset=utf-8"),
])
async def test_files_are_told_by_their_content_and_download(client, name, data, content_type):
    member = await api_token(client, "pia")
    # The browser's claimed type is ignored: every file here claims to be a picture.
    response = await send(client, member, name, data, claimed="image/png")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == content_type and body["size"] == len(data) and "width" not in body
    served = await client.get(body["url"])
    assert served.content == data and served.headers["content-type"] == content_type
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    assert served.headers["content-disposition"] == disposition
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert served.headers["x-content-type-options"] == "nosniff"


REFUSED = [
    ("html named as a photo", "cat.jpg", sample.HTML, "not a file the forum takes"),
    ("an SVG with a script", "logo.svg", sample.SVG, "SVG pictures are not taken"),
    ("an SVG named as text", "logo.txt", sample.SVG, "SVG pictures are not taken"),
    ("a truncated photo", "cut.jpg", sample.jpeg((300, 300))[:400], "could not be read"),
    ("a 50-megapixel picture", "huge.png", sample.png((10000, 5000), mode="1"), "at most 40 megapixels"),
    ("a zip bomb", "bomb.docx", sample.zip_bomb(), "zip bomb"),
    ("a plain zip archive", "photos.zip", sample.zipped({"a.txt": b"a"}), "Zip archives are not taken"),
    ("a document with macros", "macro.docx", sample.docx({"word/vbaProject.bin": b"x"}), "macros"),
    ("an old Office file misnamed", "old.exe", sample.OLE_DOC, "old Office file"),
    ("a program", "setup.exe", b"MZ\x90\x00" + bytes(100), "not a file the forum takes"),
    ("text that is not UTF-8", "latin.txt", "café".encode("latin-1"), "UTF-8"),
]


@pytest.mark.parametrize(("name", "data", "message"), [r[1:] for r in REFUSED],
                         ids=[r[0] for r in REFUSED])
async def test_bad_files_are_refused_with_a_reason_and_nothing_is_kept(client, forum, tmp_path, name,
                                                                      data, message):
    member = await api_token(client, "pia")
    response = await send(client, member, name, data, alt="something", claimed="image/jpeg")
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "refused_file" and message in error["message"], error
    assert error["fields"]["file"] == error["message"]
    assert await stored_files(forum) == 0 and files_on_disk(tmp_path) == []


async def test_a_picture_needs_alt_text(client, forum, tmp_path):
    member = await api_token(client, "pia")
    for alt in (None, "", "   "):
        response = await send(client, member, "dog.png", sample.png(), alt=alt)
        assert response.status_code == 400 and "alt" in response.json()["error"]["fields"]
    assert await stored_files(forum) == 0 and files_on_disk(tmp_path) == []


async def test_uploading_needs_a_signed_in_writer_and_csrf_with_a_cookie(client, forum):
    assert (await send(client, {}, "a.pdf", sample.PDF)).status_code == 401
    await sign_up(client, "cam")
    refused = await send(client, {}, "a.pdf", sample.PDF)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    accepted = await send(client, {"X-CSRF-Token": await csrf_token(client)}, "a.pdf", sample.PDF)
    assert accepted.status_code == 201
    await forum.db.execute("UPDATE users SET suspended_at = created_at WHERE username = 'cam'")
    suspended = await send(client, {"X-CSRF-Token": await csrf_token(client)}, "b.pdf", sample.PDF + b"b")
    assert suspended.status_code == 403 and "suspended" in suspended.json()["error"]["message"]


async def test_no_file_or_two_files_is_a_clear_400(client):
    member = await api_token(client, "pia")
    none = await client.post("/api/v1/uploads", headers=member, data={"alt": "x"},
                             files={"other": ("a.pdf", sample.PDF, "application/pdf")})
    assert none.status_code == 400
    pdf = ("a.pdf", sample.PDF, "application/pdf")
    two = await client.post("/api/v1/uploads", headers=member, files=[("file", pdf), ("file", pdf)])
    assert two.status_code == 400 and "exactly one file" in two.json()["error"]["message"]


async def _app_with(settings: Any, **changes: Any) -> Any:
    return LifespanManager(create_app(dataclasses.replace(settings, **changes)))


async def test_a_file_over_the_limit_is_a_413_and_nothing_is_kept(settings, tmp_path):
    async with await _app_with(settings, upload_max_bytes=100_000) as app, make_client(app) as client:
        member = await api_token(client, "pia")
        response = await send(client, member, "big.pdf", bytes(150_000))
        assert response.status_code == 413, response.text
        assert response.json()["error"]["message"] == "Files are limited to 97.7 KB; that one is 146.5 KB."
        # Far past the limit, the body is refused while it arrives, without being read whole.
        far_too_big = await send(client, member, "bigger.pdf", bytes(300_000))
        assert far_too_big.status_code == 413
        assert far_too_big.json()["error"]["message"] == (
            "Files are limited to 97.7 KB; that one is larger. Nothing was kept.")
    assert files_on_disk(tmp_path) == []


async def test_a_member_has_a_daily_quota(settings):
    async with await _app_with(settings, upload_max_bytes=2000) as app, make_client(app) as client:
        member = await api_token(client, "pia")
        for n in range(20):
            accepted = await send(client, member, f"{n}.txt", f"{n:04d}".encode() * 495)
            assert accepted.status_code == 201, accepted.text
        refused = await send(client, member, "21.txt", b"more" * 495)
        assert refused.status_code == 429 and "in the last day" in refused.json()["error"]["message"]
        assert refused.headers["retry-after"]


async def test_uploads_are_rate_limited(settings):
    async with await _app_with(settings, rate_limits=True) as app, make_client(app) as client:
        member = await api_token(client, "pia")
        statuses = [(await send(client, member, f"{n}.txt", f"file {n}".encode())).status_code
                    for n in range(21)]
        assert statuses == [201] * 20 + [429]


async def test_a_big_picture_is_decoded_off_the_event_loop(client):
    """While a 12-megapixel photo is re-encoded, the loop keeps turning (other requests answer)."""
    member = await api_token(client, "pia")
    noise = Image.effect_noise((4000, 3000), 20).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=80)
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    response = await send(client, member, "noise.jpg", out.getvalue(), alt="Grey noise")
    took = time.monotonic() - started
    ticker.cancel()
    assert response.status_code == 201, response.text
    assert max(gaps) < max(0.5, took / 3), (max(gaps), took)


async def test_uploads_in_an_s3_store(settings, s3_uploads_url):
    async with await _app_with(settings, uploads_url=s3_uploads_url) as app, make_client(app) as client:
        member = await api_token(client, "pia")
        picture = await send(client, member, "dog.png", sample.png(), alt="A black square")
        document = await send(client, member, "a.pdf", sample.PDF)
        assert picture.status_code == document.status_code == 201
        for url in (picture.json()["url"], picture.json()["thumbnail_url"]):
            assert Image.open(io.BytesIO((await client.get(url)).content)).size == (64, 48)
        served = await client.get(document.json()["url"])
        assert served.content == sample.PDF and served.headers["content-disposition"].startswith("attachment")
        refused = await send(client, member, "cat.jpg", sample.HTML, alt="x")
        assert refused.status_code == 400
        bucket, endpoint = s3_uploads_url.removeprefix("s3://").split("?endpoint=")
        listed = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=bucket)
        # A picture smaller than a thumbnail is the same bytes at every size: stored once.
        assert sorted(o["Key"].rsplit(".", 1)[1] for o in listed["Contents"]) == ["pdf", "png"]


async def test_unknown_and_malformed_keys_are_404(client):
    for path in ("/uploads/" + "a" * 64 + ".png", "/uploads/..%2Fforum.secret", "/uploads/x.png"):
        assert (await client.get(path)).status_code == 404


async def test_a_post_shows_its_pictures_and_files(client):
    member = await api_token(client, "pia")
    picture = (await send(client, member, "wide.png", sample.png((3000, 1000)), alt="The bay")).json()
    document = (await send(client, member, "minutes.pdf", sample.PDF)).json()
    body = (f"![The bay at dusk]({picture['url']})\n![Again]({picture['url']})\n\n"
            f"[Minutes]({document['url']}) ![elsewhere](https://example.org/x.png)")
    thread = await start_thread(client, member, body=body)
    html = (await client.get(f"/api/v1/threads/{thread['id']}")).json()["posts"][0]["html"]
    assert html.startswith('<p class="gallery">') and html.count("<img") == 2
    assert f'src="{picture["display_url"]}" alt="The bay at dusk" width="1280" height="427"' in html
    assert f'<a class="upload-picture" href="{picture["url"]}"' in html
    assert 'class="upload-file"' in html and "PDF, " in html and "example.org" not in html
    page = await client.get(thread["url"])
    assert f'src="{picture["display_url"]}"' in page.text
    preview = await client.post("/api/v1/preview", json={"body": f"![x]({picture['url']})"})
    assert 'width="1280"' in preview.json()["html"]


# -- the composer without JavaScript ---------------------------------------------------------
async def _post_form(client: Any, path: str, fields: dict[str, str], file: tuple[str, bytes] | None,
                     form_page: str) -> Any:
    token = await csrf_token(client, form_page)
    files = {"file": (file[0], file[1], "application/octet-stream") if file else ("", b"", "")}
    return await client.post(path, data={**fields, "csrf_token": token}, files=files)


async def test_a_reply_form_with_a_picture_posts_it_in_the_message(client, forum):
    await sign_up(client, "pia")
    thread = await start_thread(client, {"X-CSRF-Token": await csrf_token(client)}, body="Opening")
    page = await client.get(thread["url"])
    assert 'enctype="multipart/form-data"' in page.text and 'type="file"' in page.text
    # A picture without a description comes back with the text kept and the reason.
    refused = await _post_form(client, f"/t/{thread['id']}/reply", {"body": "Here it is", "parent_id": ""},
                               ("bay.png", sample.png()), thread["url"])
    assert refused.status_code == 400 and "Here it is" in refused.text
    assert "Describe the picture" in refused.text and 'id="alt-error"' in refused.text
    bad = await _post_form(client, f"/t/{thread['id']}/reply", {"body": "Typed words", "parent_id": ""},
                           ("cat.jpg", sample.HTML), thread["url"])
    assert bad.status_code == 400 and "Typed words" in bad.text and 'id="file-error"' in bad.text
    assert await stored_files(forum) == 0
    posted = await _post_form(client, f"/t/{thread['id']}/reply",
                              {"body": "Here it is", "parent_id": "", "alt": "The bay"},
                              ("bay.png", sample.png()), thread["url"])
    assert posted.status_code == 303, posted.text
    shown = await client.get(posted.headers["location"])
    assert 'alt="The bay"' in shown.text and 'loading="lazy"' in shown.text
    # No file chosen: the form posts as before.
    plain = await _post_form(client, f"/t/{thread['id']}/reply", {"body": "Just words", "parent_id": ""},
                             None, thread["url"])
    assert plain.status_code == 303


async def test_a_new_thread_form_with_a_file_too_large_keeps_what_was_typed(settings):
    async with await _app_with(settings, upload_max_bytes=50_000) as app, make_client(app) as client:
        await sign_up(client, "pia")
        form = "/c/general-chat/new"
        typed = {"title": "Minutes", "body": "From May", "categories": "general-chat"}
        refused = await _post_form(client, form, typed, ("minutes.pdf", sample.PDF + bytes(60_000)), form)
        assert refused.status_code == 413
        assert "Files are limited to 48.8 KB" in refused.text and "From May" in refused.text
        posted = await _post_form(client, form, typed, ("minutes.pdf", sample.PDF), form)
        assert posted.status_code == 303
        page = await client.get(posted.headers["location"])
        assert 'class="upload-file"' in page.text and "minutes.pdf<span" in page.text
