"""The upload store's two backends, against the real file system and a real S3 server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from forum.settings import Settings
from forum.storage import BadKey, Storage, storage_for
from forum.storage.local import LocalStorage


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "file":
        return storage_for(f"file://{tmp_path / 'uploads'}", "sqlite:///unused.db")
    return storage_for(request.getfixturevalue("s3_uploads_url"), "sqlite:///unused.db")


async def test_put_read_exists_delete(store: Storage) -> None:
    data = b"%PDF-1.7 a small document"
    key = await store.put(data, "pdf")
    assert key == hashlib.sha256(data).hexdigest() + ".pdf"  # named by content
    assert await store.exists(key)
    assert await store.read(key) == data
    assert await store.put(data, "pdf") == key  # the same bytes: the same key, stored once
    await store.delete(key)
    assert not await store.exists(key)
    assert await store.read(key) is None
    await store.delete(key)  # deleting what is gone is no error
    await store.close()


async def test_keys_that_are_not_ours_never_reach_the_store(store: Storage) -> None:
    for key in ("../forum.secret", "a" * 64 + ".pdf/../../x", "A" * 64 + ".png", ""):
        with pytest.raises(BadKey):
            await store.read(key)
    await store.close()


def test_a_relative_file_url_is_beside_the_sqlite_file(tmp_path: Path) -> None:
    store = storage_for("file://./uploads", f"sqlite:///{tmp_path / 'data' / 'forum.db'}")
    assert isinstance(store, LocalStorage) and store.root == tmp_path / "data" / "uploads"
    absolute = storage_for(f"file://{tmp_path / 'elsewhere'}", "sqlite:///forum.db")
    assert isinstance(absolute, LocalStorage) and absolute.root == tmp_path / "elsewhere"


def test_local_files_are_fanned_out_and_written_whole(tmp_path: Path) -> None:
    import asyncio

    store = LocalStorage(tmp_path)
    key = asyncio.run(store.put(b"hello", "txt"))
    assert (tmp_path / key[:2] / key).read_bytes() == b"hello"
    assert not list(tmp_path.rglob(".incoming-*"))


def test_settings_read_the_upload_variables(tmp_path: Path) -> None:
    env = {"FORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'forum.db'}", "FORUM_SECRET_KEY": "k"}
    default = Settings.from_env(env)
    assert (default.uploads_url, default.upload_max_bytes) == ("file://./uploads", 10485760)
    chosen = Settings.from_env({**env, "FORUM_UPLOADS_URL": "s3://pictures?endpoint=http://s3:9000",
                                "FORUM_UPLOAD_MAX_BYTES": "2048"})
    assert (chosen.uploads_url, chosen.upload_max_bytes) == ("s3://pictures?endpoint=http://s3:9000", 2048)
    with pytest.raises(ValueError, match="FORUM_UPLOAD_MAX_BYTES"):
        Settings.from_env({**env, "FORUM_UPLOAD_MAX_BYTES": "ten megabytes"})
    with pytest.raises(ValueError, match="FORUM_UPLOADS_URL"):
        storage_for("ftp://files", default.database_url)
