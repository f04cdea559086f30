"""Requests per second and audio streaming of the music function, direct and through the gateway.

Run: ``.venv/bin/python -m bench.music_throughput [--seconds 5] [--clients 8] [--extra-songs 60]``.

Starts users, music and the gateway with ``devtools.stack.Stack`` on a migrated SQLite file in a
temporary directory holding the demo catalogue plus ``--extra-songs`` songs, uploads a
``--audio-mb`` WAV as the first demo artist, then keeps ``--clients`` client threads (one
keep-alive connection each) busy for ``--seconds`` per row. Each figure stands next to a floor on
the same machine: ``GET /health`` (no database) for request rates, and the same file served by
Python's ``http.server`` for streaming. See bench/README.md for how to read the table.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from devtools.stack import GATEWAY, Stack, free_port

CHUNK = 256 * 1024
SONGS_PATH = "/songs?limit=20"


@dataclass
class Result:
    label: str
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of successful requests
    failures: Counter[str] = field(default_factory=Counter)
    body_bytes: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def megabytes_per_second(self) -> float:
        return self.body_bytes / self.seconds / 1e6

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def _connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def _client(
    url: str, path: str, headers: dict[str, str], deadline: float, result: Result, lock: threading.Lock
) -> None:
    connection = _connect(url)
    latencies, failures, received = [], Counter[str](), 0
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                size = 0
                while chunk := response.read(CHUNK):
                    size += len(chunk)
            except (OSError, http.client.HTTPException) as exc:
                failures[type(exc).__name__] += 1
                connection.close()
                connection = _connect(url)
                continue
            if response.status == 200:
                latencies.append(time.perf_counter() - started)
                received += size
            else:
                failures[f"HTTP {response.status}"] += 1
            if response.will_close:
                connection.close()
                connection = _connect(url)
    finally:
        connection.close()
    with lock:
        result.latencies += latencies
        result.failures.update(failures)
        result.body_bytes += received


def measure(
    label: str, url: str, path: str, *, seconds: float, clients: int, headers: dict[str, str] | None = None
) -> Result:
    """``clients`` threads sending ``GET path`` back to back for ``seconds`` (after a short warm-up)."""
    headers = headers or {}
    warm = Result(label, 1.0)
    _client(url, path, headers, time.perf_counter() + 0.5, warm, threading.Lock())
    result = Result(label, seconds)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_client, args=(url, path, headers, deadline, result, lock))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"  {label}: {result.rate:.0f} req/s", flush=True)
    return result


def prepare(data_dir: Path, extra_songs: int) -> tuple[int, int, int]:
    """Migrate, add the demo catalogue and ``extra_songs`` more; (artist id, song to stream, songs)."""
    from sqlalchemy import func, select

    from functions.music.demo import ARTISTS, ensure_demo_content
    from functions.music.media.storage import storage_for
    from migrations import upgrade
    from spotifiuby.config import Settings
    from spotifiuby.db import Database
    from spotifiuby.models import Genre, Song, User
    from spotifiuby.models.music import PLANS

    settings = Settings(data_dir=data_dir)
    upgrade(settings.effective_database_url)
    database = Database(settings)
    try:
        with database.session() as session:
            ensure_demo_content(session, storage_for(settings))
            artist_id = session.scalar(select(User.id).where(User.email == ARTISTS[0].email))
            genre_ids = list(session.scalars(select(Genre.id).order_by(Genre.id)))
            songs = [
                Song(
                    artist_id=artist_id,
                    genre_id=genre_ids[n % len(genre_ids)],
                    title=f"Bench song {n}",
                    description="A song of the throughput benchmark.",
                    min_plan=PLANS[n % len(PLANS)],
                )
                for n in range(extra_songs)
            ]
            stream = Song(artist_id=artist_id, genre_id=genre_ids[0], title="Bench stream", min_plan="free")
            session.add_all([*songs, stream])
            session.flush()
            total = session.scalar(select(func.count()).select_from(Song))
            return artist_id, stream.id, total
    finally:
        database.dispose()


def upload(url: str, song_id: int, audio: bytes, token: str) -> str | None:
    """PUT the audio as its artist; ``None`` when stored, else what went wrong."""
    connection = _connect(url)
    try:
        connection.request(
            "PUT",
            f"/songs/{song_id}/audio",
            body=io.BytesIO(audio),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "audio/wav",
                "Content-Length": str(len(audio)),
            },
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return None if response.status == 200 else f"HTTP {response.status}: {body[:200]!r}"


@contextlib.contextmanager
def file_server(directory: Path) -> Iterator[str]:
    """Python's ``http.server`` on ``directory``, in its own process (our client threads hold the GIL)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(directory),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("http.server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def rate_row(result: Result, floor: Result | None) -> list[str]:
    ratio = f"x{result.rate / floor.rate:.2f}" if floor is not None and floor.rate and result.rate else "-"
    return [
        result.label,
        f"{result.rate:.0f}",
        ratio,
        f"{result.percentile(0.5) * 1000:.1f}",
        f"{result.percentile(0.95) * 1000:.1f}",
        failures(result),
    ]


def stream_row(result: Result, floor: Result | None) -> list[str]:
    mbps = result.megabytes_per_second
    ratio = f"x{mbps / floor.megabytes_per_second:.2f}" if floor is not None and mbps else "-"
    return [
        result.label,
        f"{mbps:.0f}",
        ratio,
        f"{result.rate:.1f}",
        f"{result.percentile(0.5) * 1000:.0f}",
        f"{result.percentile(0.95) * 1000:.0f}",
        failures(result),
    ]


def failures(result: Result) -> str:
    return ", ".join(f"{n} {what}" for what, n in result.failures.most_common()) or "0"


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    for line in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each row")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--extra-songs", type=int, default=60, help="songs added to the demo catalogue")
    parser.add_argument("--audio-mb", type=float, default=5.0, help="size of the streamed audio file")
    args = parser.parse_args()

    from functions.music.demo import tone_wav
    from spotifiuby.config import Settings
    from spotifiuby.tokens import TokenService

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        artist_id, stream_song, songs = prepare(data_dir, args.extra_songs)
        # 16-bit mono at 22050 Hz: 44100 bytes a second of sound
        audio = tone_wav(440.0, args.audio_mb * 1e6 / 44100)
        (data_dir / "floor").mkdir()
        (data_dir / "floor" / "audio.wav").write_bytes(audio)
        # the stack's functions find the development signing key in the same DATA_DIR
        token = TokenService(Settings(data_dir=data_dir)).issue(user_id=artist_id, role="artist")
        auth = {"Authorization": f"Bearer {token}"}
        env = {
            "DATA_DIR": str(data_dir),
            "LOG_LEVEL": "WARNING",
            # the gateway's per-client rate limit would otherwise answer most of the load with 429
            "RATE_LIMIT_PER_MINUTE": "1000000000",
            "RATE_LIMIT_BURST": "1000000000",
        }
        run = {"seconds": args.seconds, "clients": args.clients}
        with Stack(["users", "music", GATEWAY], env=env) as stack:
            music, gateway = stack.url("music"), stack.url(GATEWAY)
            server_threads = stack.environment("music").get("THREADS")
            print(
                f"{os.cpu_count()} CPUs; each function: 1 gunicorn worker, THREADS={server_threads}; "
                f"{args.clients} client threads, {args.seconds:g} s a row; {songs} songs in SQLite",
                flush=True,
            )
            print("requests:", flush=True)
            health = measure("music GET /health (floor)", music, "/health", **run)
            direct = measure(f"music GET {SONGS_PATH}", music, SONGS_PATH, **run)
            gateway_health = measure("gateway GET /health (floor)", gateway, "/health", **run)
            routed = measure(f"gateway GET {SONGS_PATH}", gateway, SONGS_PATH, **run)

            print("streaming:", flush=True)
            problem = upload(music, stream_song, audio, token)
            streams: list[list[str]] = []
            if problem is None:
                with file_server(data_dir / "floor") as files:
                    file_floor = measure("http.server, plain file (floor)", files, "/audio.wav", **run)
                audio_path = f"/songs/{stream_song}/audio"
                streams = [
                    stream_row(file_floor, None),
                    stream_row(
                        measure(f"music GET {audio_path}", music, audio_path, headers=auth, **run), file_floor
                    ),
                    stream_row(
                        measure(f"gateway GET {audio_path}", gateway, audio_path, headers=auth, **run),
                        file_floor,
                    ),
                ]
            else:
                print(f"  skipped: uploading the audio answered {problem}")

    print(f"\nrequests ({args.clients} clients, keep-alive; latencies of successful requests)")
    print_table(
        ["route", "req/s", "vs floor", "p50 ms", "p95 ms", "failures"],
        [
            rate_row(health, None),
            rate_row(direct, health),
            rate_row(gateway_health, None),
            rate_row(routed, gateway_health),
        ],
    )
    if streams:
        print(f"\nstreaming a {len(audio) / 1e6:.1f} MB WAV ({args.clients} clients, whole file each time)")
        print_table(["source", "MB/s", "vs floor", "files/s", "p50 ms", "p95 ms", "failures"], streams)


if __name__ == "__main__":
    main()
