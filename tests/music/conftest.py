"""The local S3 server (moto) shared by the storage and sweep tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from spotifiuby.config import Settings

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty bucket on the local S3 server; the AWS credentials in the environment."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = f"media-{uuid.uuid4().hex[:12]}"
    s3_client(s3_url).create_bucket(Bucket=name)
    return name


def s3_client(url: str) -> Any:
    return boto3.session.Session(**{k.lower(): v for k, v in CREDENTIALS.items()}).client(
        "s3", endpoint_url=url, region_name=REGION
    )


def s3_settings(url: str, bucket: str, tmp_path: Any) -> Settings:
    return Settings(
        data_dir=tmp_path, storage_backend="s3", s3_bucket=bucket, s3_endpoint_url=url, s3_region=REGION
    )
