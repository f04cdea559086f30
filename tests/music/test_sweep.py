"""Sweeping stored files that no row refers to: ``Storage.keys`` on both backends, ``sweep`` on both
databases and both storages, after an account deletion through the users function, and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event

from functions.music.media.s3 import S3Storage
from functions.music.media.storage import TEMP_PREFIX, LocalStorage, Storage
from functions.music.media.sweep import SweepResult, sweep
from spotifiuby.db import utcnow
from tests.conftest import ROOT
from tests.factories import auth_header, create_album, create_song, create_user
from tests.music.conftest import CREDENTIALS, REGION, s3_settings
from tests.music.media_samples import empty_media_dir, png_bytes, put_audio, put_cover, wav_bytes

LATER = dt.timedelta(hours=2)  # "now" for a sweep that finds every file just written past the margin


@dataclass(frozen=True)
class Media:
    storage: Storage
    env: dict[str, str]  # what a music function process needs to use the same storage


@pytest.fixture(params=["local", "s3"])
def media(request: pytest.FixtureRequest, backend: Any) -> Media:
    """The test run's storage, emptied: the local one under the backend's ``DATA_DIR``, or a new bucket."""
    if request.param == "local":
        empty_media_dir(backend.data_dir)
        return Media(LocalStorage(backend.data_dir / "media"), {})
    url, bucket = request.getfixturevalue("s3_url"), request.getfixturevalue("bucket")
    env = {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": url,
        "S3_REGION": REGION,
        **CREDENTIALS,
    }
    return Media(S3Storage(s3_settings(url, bucket, backend.data_dir)), env)


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Any) -> Storage:
    """A storage without a database, for ``keys`` alone."""
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    url, bucket = request.getfixturevalue("s3_url"), request.getfixturevalue("bucket")
    return S3Storage(s3_settings(url, bucket, tmp_path))


def store(storage: Storage, key: str, data: bytes = b"data") -> str:
    storage.put(key, io.BytesIO(data), content_type="application/octet-stream", max_bytes=len(data))
    return key


def listed(storage: Storage, prefix: str = "") -> list[str]:
    return sorted(key for key, _modified in storage.keys(prefix))


def is_stored(storage: Storage, key: str) -> bool:
    return key in listed(storage)


def run_sweep(db: Any, storage: Storage, **options: Any) -> SweepResult:
    with db.session() as session:
        return sweep(session, storage, **options)


# --- Storage.keys ---------------------------------------------------------------------------------


def test_keys_lists_every_file_with_its_utc_time_and_filters_by_prefix(storage):
    before = utcnow().replace(microsecond=0)  # S3 times have whole seconds
    for key in ("songs/1/a", "songs/12/b", "albums/1/c", "other/d"):
        store(storage, key)
    times = dict(storage.keys())
    assert sorted(times) == ["albums/1/c", "other/d", "songs/1/a", "songs/12/b"]
    for modified in times.values():
        assert modified.utcoffset() == dt.timedelta(0)
        assert before - dt.timedelta(seconds=1) <= modified <= utcnow() + dt.timedelta(seconds=1)
    assert listed(storage, "songs/") == ["songs/1/a", "songs/12/b"]
    assert listed(storage, "songs/1/") == ["songs/1/a"]
    assert listed(storage, "songs/1") == ["songs/1/a", "songs/12/b"]
    assert listed(storage, "playlists/") == []


class Watching(io.RawIOBase):
    """An upload body that lists the storage's keys while it is being stored."""

    def __init__(self, storage: Storage, data: bytes) -> None:
        super().__init__()
        self._storage, self._data = storage, data
        self.seen: list[str] | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.seen is None and self._data:
            piece, self._data = self._data[:100], self._data[100:]
            buffer[: len(piece)] = piece
            return len(piece)
        if self.seen is None:
            self.seen = listed(self._storage)
        return 0


def test_an_upload_in_progress_is_not_a_key(storage):
    body = Watching(storage, b"x" * 1000)
    storage.put("songs/1/new", body, content_type="audio/wav", max_bytes=10_000)
    assert body.seen == []  # locally, the temporary file was there, under songs/1/
    assert listed(storage) == ["songs/1/new"]


def test_local_keys_report_the_files_modification_time_and_skip_temporary_files(tmp_path):
    storage = LocalStorage(tmp_path / "media")
    path = storage.root / store(storage, "songs/1/a")
    (path.parent / f"{TEMP_PREFIX}left-by-a-crash").write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    os.utime(path, (two_hours_ago, two_hours_ago))
    [(key, modified)] = storage.keys()
    assert key == "songs/1/a"
    assert modified == dt.datetime.fromtimestamp(two_hours_ago, dt.UTC)
    assert list(LocalStorage(tmp_path / "nothing-here").keys()) == []


# --- sweep ----------------------------------------------------------------------------------------


def test_an_old_orphan_is_deleted_while_referenced_and_fresh_files_stay(db, media):
    artist = create_user(db, role="artist")
    song = create_song(db, artist=artist, audio_key=store(media.storage, "songs/1/current"))
    album = create_album(db, artist=artist, cover_key=store(media.storage, "albums/1/current"))
    orphans = [store(media.storage, f"songs/{song.id}/replaced"), store(media.storage, "albums/99/gone")]
    outside = store(media.storage, "exports/report")

    fresh = run_sweep(db, media.storage)  # everything was written a moment ago
    assert fresh == SweepResult(kept=4, deleted=0, keys_deleted=())
    assert all(is_stored(media.storage, key) for key in orphans)

    swept = run_sweep(db, media.storage, now=utcnow() + LATER)
    assert (swept.kept, swept.deleted, sorted(swept.keys_deleted)) == (2, 2, sorted(orphans))
    assert listed(media.storage) == sorted([song.audio_key, album.cover_key, outside])

    assert run_sweep(db, media.storage, now=utcnow() + LATER) == SweepResult(2, 0, ())


def test_the_margin_is_measured_from_the_files_last_write(db, media):
    orphan = store(media.storage, "songs/7/orphan")
    now = utcnow() + dt.timedelta(minutes=30)
    assert run_sweep(db, media.storage, now=now).deleted == 0  # 30 minutes old: kept
    assert run_sweep(db, media.storage, now=now, older_than=dt.timedelta(minutes=10)).keys_deleted == (
        orphan,
    )


def test_a_dry_run_deletes_nothing(db, media):
    create_song(db, audio_key=store(media.storage, "songs/1/current"))
    orphan = store(media.storage, "songs/2/orphan")
    result = run_sweep(db, media.storage, now=utcnow() + LATER, dry_run=True)
    assert result == SweepResult(kept=1, deleted=1, keys_deleted=(orphan,))
    assert is_stored(media.storage, orphan)


def test_the_references_are_read_with_one_query_per_table(db, media):
    artist = create_user(db, role="artist")
    for n in range(30):
        create_song(db, artist=artist, audio_key=store(media.storage, f"songs/{n}/audio"))
        create_album(db, artist=artist, cover_key=store(media.storage, f"albums/{n}/cover"))
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = run_sweep(db, media.storage, now=utcnow() + LATER)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert result == SweepResult(kept=60, deleted=0, keys_deleted=())
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects


def test_after_an_artist_deletes_their_account_the_sweep_removes_its_audio_and_cover(
    make_client, db, settings, media
):
    music = make_client("music", **media.env)
    leaving, staying = create_user(db, role="artist"), create_user(db, role="artist")
    uploaded = {}
    for artist in (leaving, staying):
        album = create_album(db, artist=artist)
        song = create_song(db, album=album)
        assert put_audio(music, settings, artist, song.id, wav_bytes(0.5)).status_code == 200
        assert put_cover(music, settings, artist, album.id, png_bytes()).status_code == 200
        uploaded[artist.id] = (song.id, album.id)
    stored = dict(media.storage.keys())
    assert len(stored) == 4

    assert make_client("users").delete("/me", headers=auth_header(settings, leaving)).status_code == 204
    assert dict(media.storage.keys()) == stored  # the database forgot them; the storage did not

    result = run_sweep(db, media.storage, now=utcnow() + LATER)
    song_id, album_id = uploaded[leaving.id]
    assert result.kept == 2
    assert sorted(result.keys_deleted) == sorted(
        key for key in stored if key.startswith((f"songs/{song_id}/", f"albums/{album_id}/"))
    )
    assert len(result.keys_deleted) == 2
    song_id, album_id = uploaded[staying.id]
    listener = create_user(db)
    assert music.get(f"/songs/{song_id}/audio", headers=auth_header(settings, listener)).status_code == 200
    assert music.get(f"/albums/{album_id}/cover").status_code == 200


def test_a_negative_margin_is_refused(db, media):
    with pytest.raises(ValueError):
        run_sweep(db, media.storage, older_than=dt.timedelta(minutes=-1))


# --- the CLI --------------------------------------------------------------------------------------


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "DATA_DIR", "STORAGE_", "S3_", "LOG_LEVEL"))
    }
    return subprocess.run(
        [sys.executable, "-m", "functions.music.cli", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def cli_env(backend: Any, db: Any) -> Iterator[dict[str, str]]:
    empty_media_dir(backend.data_dir)
    yield {"DATABASE_URL": backend.url, "DATA_DIR": str(backend.data_dir)}
    empty_media_dir(backend.data_dir)


def age(storage: LocalStorage, key: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(storage.root / key, (then, then))


def counts_logged(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_the_cli_sweeps_and_prints_the_counts(backend, cli_env, db):
    storage = LocalStorage(backend.data_dir / "media")
    referenced = create_song(db, audio_key=store(storage, "songs/1/current")).audio_key
    orphan, fresh = store(storage, "songs/2/orphan"), store(storage, "albums/3/fresh")
    age(storage, referenced, 7200)
    age(storage, orphan, 7200)

    dry = run_cli("sweep-storage", "--dry-run", **cli_env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[-1] == "Dry run: 1 unreferenced files would be deleted, 2 kept."
    assert is_stored(storage, orphan)

    patient = run_cli("sweep-storage", "--older-than-minutes", "180", **cli_env)
    assert patient.stdout.splitlines()[-1] == "Deleted 0 unreferenced files, kept 3."

    done = run_cli("sweep-storage", **cli_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "Deleted 1 unreferenced files, kept 2."
    assert listed(storage) == sorted([referenced, fresh])
    [line] = counts_logged(done.stdout)
    assert set(line) == {"time", "level", "logger", "message", "kept", "deleted", "dry_run"}
    assert (line["message"], line["kept"], line["deleted"], line["dry_run"]) == ("storage swept", 2, 1, False)
    assert orphan not in done.stdout + done.stderr


def test_the_cli_exits_1_on_database_trouble_without_a_traceback(tmp_path):
    result = run_cli(
        "sweep-storage", DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'not-migrated.db'}"
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "sweep-storage: database error (OperationalError); is it up and migrated?"
    )


def test_the_cli_exits_1_on_storage_trouble_without_a_traceback(tmp_path, s3_url):
    result = run_cli(
        "sweep-storage",
        DATA_DIR=str(tmp_path),
        STORAGE_BACKEND="s3",
        S3_BUCKET="no-such-bucket",
        S3_ENDPOINT_URL=s3_url,
        S3_REGION=REGION,
        **CREDENTIALS,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("sweep-storage: storage error (NoSuchBucket)")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("minutes", ["0", "-5", "soon"])
def test_the_cli_refuses_a_margin_under_a_minute(tmp_path, minutes):
    result = run_cli("sweep-storage", "--older-than-minutes", minutes, DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "--older-than-minutes" in result.stderr
