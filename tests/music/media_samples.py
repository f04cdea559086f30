"""Small real media files made in the test, and helpers to upload and fetch them through the music app."""

from __future__ import annotations

import io
import math
import shutil
import struct
import wave
import zlib
from pathlib import Path
from typing import Any

from spotifiuby.config import Settings
from tests.factories import auth_header


def wav_bytes(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of a 440 Hz tone."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                for i in range(int(seconds * rate))
            )
        )
    return buffer.getvalue()


def big_wav_bytes(size: int) -> bytes:
    """A valid WAV of about ``size`` bytes (silence after a header), cheap to make."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(bytes(range(256)) * (size // 256 // 2 * 2))
    return buffer.getvalue()


def mp3_bytes(frames: int = 39) -> bytes:
    """MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz (1152 samples each): 39 make about 1 s."""
    return (b"\xff\xfb\x90\x00" + bytes(417 - 4)) * frames


def flac_bytes(seconds: float = 2.0, rate: int = 44100) -> bytes:
    """A FLAC header whose STREAMINFO says ``seconds`` of audio (no frames: enough for a duration)."""
    packed = (rate << 44) | (1 << 41) | (15 << 36) | int(seconds * rate)  # rate, stereo, 16 bits, samples
    info = struct.pack(">HH", 4096, 4096) + bytes(6) + packed.to_bytes(8, "big") + bytes(16)
    return b"fLaC" + b"\x80" + len(info).to_bytes(3, "big") + info


def png_bytes(width: int = 2, height: int = 2, level: int = 9) -> bytes:
    """A real RGB PNG of the given size (``level`` 0: stored uncompressed, about 3 bytes a pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, level))
        + chunk(b"IEND", b"")
    )


def empty_media_dir(data_dir: Path) -> None:
    """Forget the files of earlier tests (ids restart with every test's empty tables)."""
    shutil.rmtree(data_dir / "media", ignore_errors=True)


def headers_for(settings: Settings, user: Any, **extra: str) -> dict[str, str]:
    return {**auth_header(settings, user), **extra}


def put_audio(
    client: Any, settings: Settings, user: Any, song_id: int, data: bytes, content_type: str = "audio/wav"
) -> Any:
    return client.put(
        f"/songs/{song_id}/audio",
        data=data,
        headers=headers_for(settings, user, **{"Content-Type": content_type}),
    )


def put_cover(
    client: Any, settings: Settings, user: Any, album_id: int, data: bytes, content_type: str = "image/png"
) -> Any:
    return client.put(
        f"/albums/{album_id}/cover",
        data=data,
        headers=headers_for(settings, user, **{"Content-Type": content_type}),
    )
