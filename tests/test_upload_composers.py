"""Attaching a file without JavaScript in the other composers: editing a post, and the
welcome page's introduction."""

from __future__ import annotations

from typing import Any

from tests import sample_files as sample
from tests.helpers import csrf_token, sign_up, start_thread


async def post_form(client: Any, path: str, fields: dict[str, str], file: tuple[str, bytes] | None) -> Any:
    token = await csrf_token(client, path)
    files = {"file": (file[0], file[1], "application/octet-stream") if file else ("", b"", "")}
    return await client.post(path, data={**fields, "csrf_token": token}, files=files)


def has_attach_field(html: str) -> bool:
    return ('enctype="multipart/form-data"' in html and 'type="file"' in html
            and 'id="alt"' in html and "Describe the picture" in html)


async def test_editing_a_post_attaches_a_picture(client):
    await sign_up(client, "pia")
    thread = await start_thread(client, {"X-CSRF-Token": await csrf_token(client)}, body="Photos soon")
    opening = (await client.get(f"/api/v1/threads/{thread['id']}")).json()["posts"][0]["id"]
    edit = f"/p/{opening}/edit"
    assert has_attach_field((await client.get(edit)).text)
    refused = await post_form(client, edit, {"body": "Photos from the walk"}, ("walk.png", sample.png()))
    assert refused.status_code == 400
    assert "Photos from the walk" in refused.text and 'id="alt-error"' in refused.text
    bad = await post_form(client, edit, {"body": "Typed words"}, ("walk.jpg", sample.HTML))
    assert bad.status_code == 400 and "Typed words" in bad.text and 'id="file-error"' in bad.text
    saved = await post_form(client, edit, {"body": "Photos from the walk", "alt": "A path through a wood"},
                            ("walk.png", sample.png()))
    assert saved.status_code == 303, saved.text
    html = (await client.get(f"/api/v1/threads/{thread['id']}")).json()["posts"][0]["html"]
    assert "Photos from the walk" in html and 'alt="A path through a wood"' in html
    plain = await post_form(client, edit, {"body": "Just words now"}, None)  # no file: as before
    assert plain.status_code == 303


async def test_an_introduction_on_the_welcome_page_attaches_a_file(client):
    await sign_up(client, "pia")
    assert has_attach_field((await client.get("/welcome")).text)
    refused = await post_form(client, "/welcome", {"body": "Hello, I am Pia"}, ("me.png", sample.png()))
    assert refused.status_code == 400
    assert "Hello, I am Pia" in refused.text and 'id="alt-error"' in refused.text
    posted = await post_form(client, "/welcome", {"body": "Hello, I am Pia", "alt": "Pia on a bicycle"},
                             ("me.png", sample.png()))
    assert posted.status_code == 303, posted.text
    page = await client.get(posted.headers["location"])
    assert "Hello, I am Pia" in page.text and 'alt="Pia on a bicycle"' in page.text
