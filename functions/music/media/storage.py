"""Where audio and images live: a small interface with a local-directory and an S3 implementation.

Keys are opaque strings the music function makes (``songs/12/3f2a...``); a new upload gets a new key,
so readers never see a half-written file and caches keyed by ETag stay right.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from spotifiuby.config import Settings

CHUNK = 64 * 1024
TEMP_PREFIX = ".upload-"  # LocalStorage's files still being written: not keys


@dataclass(frozen=True)
class Stored:
    size: int
    etag: str  # hex SHA-256 of the content


class Storage(Protocol):
    def put(self, key: str, body: IO[bytes], *, content_type: str, max_bytes: int) -> Stored:
        """Store ``body`` under ``key``; raises ``TooLarge`` past ``max_bytes`` (nothing is kept)."""

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes ``start`` to ``end`` inclusive, in chunks."""

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""

    def keys(self, prefix: str = "") -> Iterator[tuple[str, dt.datetime]]:
        """Every stored key starting with ``prefix`` and when it was last written (UTC), in no
        particular order; a key deleted while the listing runs may be left out."""


class TooLarge(Exception):
    pass


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"storage key escapes the root: {key!r}")
        return path

    def put(self, key: str, body: IO[bytes], *, content_type: str, max_bytes: int) -> Stored:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=TEMP_PREFIX, delete=False) as tmp:
            try:
                while chunk := body.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge()
                    digest.update(chunk)
                    tmp.write(chunk)
            except BaseException:
                os.unlink(tmp.name)
                raise
        os.replace(tmp.name, path)  # readers see the whole file or none of it
        return Stored(size=size, etag=digest.hexdigest())

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        with open(self._path(key), "rb") as file:
            file.seek(start)
            remaining = end - start + 1
            while remaining > 0 and (chunk := file.read(min(CHUNK, remaining))):
                remaining -= len(chunk)
                yield chunk

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[tuple[str, dt.datetime]]:
        root = self.root.resolve()
        folder = self._path(prefix.rpartition("/")[0])  # the deepest folder the prefix names
        # os.walk skips a folder that vanishes meanwhile (a deleted song's) instead of failing
        for directory, subdirectories, names in os.walk(folder):
            subdirectories.sort()
            for name in sorted(names):
                if name.startswith(TEMP_PREFIX):
                    continue  # an upload in progress (or one a crash cut off)
                path = Path(directory, name)
                key = path.relative_to(root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    modified = path.stat().st_mtime
                except FileNotFoundError:
                    continue  # deleted since it was listed
                yield key, dt.datetime.fromtimestamp(modified, dt.UTC)


@functools.cache
def storage_for(settings: Settings) -> Storage:
    """The configured backend, made once per process and configuration (an S3 client is costly)."""
    if settings.storage_backend == "s3":
        from functions.music.media.s3 import S3Storage  # boto3 only when configured

        return S3Storage(settings)
    return LocalStorage(settings.media_dir)
