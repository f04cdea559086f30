"""The storage backends: one set of behavioural tests run against LocalStorage and S3Storage (moto's S3
server on a local port), and the music function end to end on S3."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from typing import Any

import pytest

from functions.music.media import s3
from functions.music.media.s3 import S3Storage
from functions.music.media.storage import LocalStorage, Storage, TooLarge, storage_for
from spotifiuby.config import Settings
from tests.conftest import ROOT
from tests.factories import create_song, create_user
from tests.music.conftest import CREDENTIALS, REGION, s3_client, s3_settings
from tests.music.media_samples import big_wav_bytes, empty_media_dir, headers_for, put_audio, wav_bytes


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Any) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    return S3Storage(
        s3_settings(request.getfixturevalue("s3_url"), request.getfixturevalue("bucket"), tmp_path)
    )


class Trickle(io.RawIOBase):
    """A request body that arrives in short reads, as a socket delivers it."""

    def __init__(self, data: bytes, step: int = 1000) -> None:
        super().__init__()
        self._data, self._step, self._position = data, step, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        piece = self._data[self._position : self._position + min(self._step, len(buffer))]
        buffer[: len(piece)] = piece
        self._position += len(piece)
        return len(piece)


def content(size: int) -> bytes:
    """Bytes that differ from position to position, so a wrong offset shows."""
    return b"".join(i.to_bytes(4, "big") for i in range(size // 4 + 1))[:size]


def read(storage: Storage, key: str, start: int, end: int) -> bytes:
    return b"".join(storage.open_range(key, start, end))


def is_stored(storage: Storage, key: str) -> bool:
    try:
        read(storage, key, 0, 0)
    except Exception:  # FileNotFoundError locally, botocore's NoSuchKey on S3
        return False
    return True


def test_put_reports_size_and_sha256_and_ranges_read_back_exactly(storage):
    data = content(200_000)
    stored = storage.put("songs/1/a", io.BytesIO(data), content_type="audio/wav", max_bytes=len(data))
    assert (stored.size, stored.etag) == (len(data), hashlib.sha256(data).hexdigest())
    for start, end in [(0, len(data) - 1), (0, 0), (12_345, 99_999), (len(data) - 1, len(data) - 1)]:
        assert read(storage, "songs/1/a", start, end) == data[start : end + 1]


def test_a_body_larger_than_a_part_arriving_in_short_reads(storage):
    data = content(s3.PART_BYTES + 1_234_567)
    stored = storage.put("songs/2/big", Trickle(data, 60_000), content_type="audio/wav", max_bytes=len(data))
    assert (stored.size, stored.etag) == (len(data), hashlib.sha256(data).hexdigest())
    boundary = s3.PART_BYTES
    assert read(storage, "songs/2/big", boundary - 10, boundary + 9) == data[boundary - 10 : boundary + 10]
    assert (
        hashlib.sha256(read(storage, "songs/2/big", 0, len(data) - 1)).digest()
        == hashlib.sha256(data).digest()
    )


@pytest.mark.parametrize("size", [5_000, s3.PART_BYTES * 2], ids=["one-part", "multipart"])
def test_too_large_keeps_nothing(storage, size):
    with pytest.raises(TooLarge):
        storage.put("songs/3/x", io.BytesIO(content(size)), content_type="audio/wav", max_bytes=size - 1)
    assert not is_stored(storage, "songs/3/x")
    if isinstance(storage, S3Storage):
        assert storage.client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", []) == []
        assert storage.client.list_objects_v2(Bucket=storage.bucket).get("KeyCount") == 0
    else:
        assert [p for p in storage.root.rglob("*") if p.is_file()] == []


def test_delete_removes_and_a_missing_key_is_no_error(storage):
    storage.put("albums/1/c", io.BytesIO(b"cover"), content_type="image/png", max_bytes=100)
    storage.delete("albums/1/c")
    assert not is_stored(storage, "albums/1/c")
    storage.delete("albums/1/c")
    storage.delete("never/was")


def test_open_range_touches_nothing_until_read(storage):
    chunks = storage.open_range("not/there", 0, 10)  # a HEAD answer never reads its body
    with pytest.raises(Exception):  # noqa: B017 - FileNotFoundError locally, ClientError on S3
        next(iter(chunks))


def test_local_keys_cannot_leave_the_root(tmp_path):
    storage = LocalStorage(tmp_path / "media")
    with pytest.raises(ValueError):
        storage.put("../outside", io.BytesIO(b"x"), content_type="audio/wav", max_bytes=10)
    assert not (tmp_path / "outside").exists()


def test_storage_for_picks_the_configured_backend_once(tmp_path, s3_url, bucket):
    local = Settings(data_dir=tmp_path)
    assert isinstance(storage_for(local), LocalStorage)
    assert storage_for(local).root == local.media_dir
    assert storage_for(local) is storage_for(Settings(data_dir=tmp_path))
    remote = storage_for(s3_settings(s3_url, bucket, tmp_path))
    assert isinstance(remote, S3Storage)
    assert remote.bucket == bucket


def test_the_music_function_imports_neither_boto3_nor_mutagen_at_start(tmp_path):
    code = "import sys, functions.music.main; print(sorted({'boto3', 'mutagen'} & set(sys.modules)))"
    env = {**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": "", "LOG_LEVEL": "WARNING"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_upload_and_ranged_streaming_through_the_music_function_on_s3(
    make_client, db, settings, backend, s3_url, bucket
):
    empty_media_dir(backend.data_dir)
    client = make_client(
        "music",
        STORAGE_BACKEND="s3",
        S3_BUCKET=bucket,
        S3_ENDPOINT_URL=s3_url,
        S3_REGION=REGION,
        **CREDENTIALS,
    )
    artist, listener = create_user(db, role="artist"), create_user(db)
    song = create_song(db, artist=artist)
    first = wav_bytes(1.25)
    uploaded = put_audio(client, settings, artist, song.id, first)
    assert uploaded.status_code == 200, uploaded.get_json()
    assert uploaded.json["duration_seconds"] == pytest.approx(1.25)  # read with ranged GETs from S3

    data = big_wav_bytes(s3.PART_BYTES + 500_000)  # a multipart upload
    replaced = put_audio(client, settings, artist, song.id, data)
    assert replaced.status_code == 200
    objects = s3_client(s3_url).list_objects_v2(Bucket=bucket)["Contents"]
    assert len(objects) == 1  # the first file is gone
    assert objects[0]["Key"].startswith(f"songs/{song.id}/")
    assert objects[0]["Size"] == len(data)
    assert not (backend.data_dir / "media" / "songs" / str(song.id)).exists()

    headers = headers_for(settings, listener, Range="bytes=8388000-8389000")
    part = client.get(f"/songs/{song.id}/audio", headers=headers)
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 8388000-8389000/{len(data)}"
    assert part.data == data[8388000:8389001]
    whole = client.get(f"/songs/{song.id}/audio", headers=headers_for(settings, listener))
    assert whole.headers["Content-Length"] == str(len(data))
    assert hashlib.sha256(whole.data).digest() == hashlib.sha256(data).digest()
