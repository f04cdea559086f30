"""The S3-compatible storage backend (``STORAGE_BACKEND=s3``); the only module that imports boto3.

Configuration: ``S3_BUCKET`` (must exist), ``S3_ENDPOINT_URL`` (empty for AWS itself; MinIO, R2 or
GCS interoperability otherwise), ``S3_REGION``; credentials come from boto3's standard chain
(``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a web identity token, an instance role ...).

Uploads stream: a body that fits in one part is one PutObject, a longer one a multipart upload of
``PART_BYTES`` parts, so at most one part is held in memory. Past ``max_bytes`` the multipart upload
is aborted and nothing is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import IO, Any

import boto3
from botocore.config import Config

from functions.music.media.storage import CHUNK, Stored, TooLarge
from spotifiuby.config import Settings

PART_BYTES = 8 * 1024 * 1024  # S3 needs at least 5 MiB for every part but the last


class _LimitedReader:
    """Reads ``body`` in full-sized pieces, hashing and counting; ``TooLarge`` past ``max_bytes``."""

    def __init__(self, body: IO[bytes], max_bytes: int) -> None:
        self._body, self._max_bytes = body, max_bytes
        self._digest, self.size = hashlib.sha256(), 0

    def read(self, size: int) -> bytes:
        pieces, wanted = [], size
        while wanted > 0 and (chunk := self._body.read(min(wanted, CHUNK))):
            pieces.append(chunk)
            wanted -= len(chunk)
            self.size += len(chunk)
            if self.size > self._max_bytes:
                raise TooLarge()
        data = b"".join(pieces)
        self._digest.update(data)
        return data

    def stored(self) -> Stored:
        return Stored(size=self.size, etag=self._digest.hexdigest())


class S3Storage:
    def __init__(self, settings: Settings) -> None:
        if not settings.s3_bucket:
            raise ValueError("S3Storage needs S3_BUCKET")
        self.bucket = settings.s3_bucket
        # a session of our own: boto3's default session is not safe to share between threads
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            config=Config(
                max_pool_connections=max(10, settings.threads),
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def put(self, key: str, body: IO[bytes], *, content_type: str, max_bytes: int) -> Stored:
        reader = _LimitedReader(body, max_bytes)
        part = reader.read(PART_BYTES)
        if len(part) < PART_BYTES:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=part, ContentType=content_type)
            return reader.stored()
        upload_id = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type
        )["UploadId"]
        try:
            parts = []
            while part:
                number = len(parts) + 1
                answer = self.client.upload_part(
                    Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=part
                )
                parts.append({"ETag": answer["ETag"], "PartNumber": number})
                part = reader.read(PART_BYTES)
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        return reader.stored()

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        answer = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}")
        body = answer["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def keys(self, prefix: str = "") -> Iterator[tuple[str, dt.datetime]]:
        # LastModified of a multipart upload is when the upload started, not when it completed
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"].astimezone(dt.UTC)
