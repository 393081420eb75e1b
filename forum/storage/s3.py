"""Uploads in an S3-compatible object store. Credentials come from the usual AWS variables
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION) or any other place boto3
looks. boto3 blocks, so each call runs in a thread."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
from botocore.exceptions import ClientError

from forum.storage import check_key, key_for

NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    def __init__(self, bucket: str, endpoint: str | None = None, prefix: str = "") -> None:
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        # A client is safe to share between threads; a session is not, so make it here.
        self.client: Any = boto3.session.Session().client("s3", endpoint_url=endpoint)

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def put(self, data: bytes, extension: str) -> str:
        key = key_for(data, extension)
        if not await self.exists(key):
            await asyncio.to_thread(self.client.put_object, Bucket=self.bucket,
                                    Key=self._name(key), Body=data)
        return key

    async def read(self, key: str) -> bytes | None:
        name = self._name(key)

        def get() -> bytes | None:
            try:
                return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in NOT_FOUND:
                    return None
                raise

        return await asyncio.to_thread(get)

    async def exists(self, key: str) -> bool:
        name = self._name(key)

        def head() -> bool:
            try:
                self.client.head_object(Bucket=self.bucket, Key=name)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in NOT_FOUND:
                    return False
                raise
            return True

        return await asyncio.to_thread(head)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self._name(key))

    async def close(self) -> None:
        await asyncio.to_thread(self.client.close)
