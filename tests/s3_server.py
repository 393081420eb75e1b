"""A real S3-compatible server for the tests: moto's, on a free port in this process's
threads, spoken to over HTTP by the same client code production uses."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.servers import free_port

# Any values do for moto; the S3 backend reads them from the environment as it would AWS's.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


@contextmanager
def s3_server() -> Iterator[str]:
    """Yields the endpoint URL; the AWS variables are set while it runs."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        with pytest.MonkeyPatch.context() as env:
            for name, value in CREDENTIALS.items():
                env.setenv(name, value)
            yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def new_bucket(endpoint: str) -> str:
    """A bucket of its own for one test: nothing carries over between tests."""
    name = f"forum-test-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return name
