"""The duration of stored audio, read with mutagen from the storage itself.

mutagen needs a seekable file: it reads headers and, for some formats, the end of the file (an Ogg
stream's last page, an MP4 ``moov`` box after the data). ``StoredFileReader`` gives it one over
``Storage.open_range``, buffered, so a stored file is never copied nor read whole: on S3 a few
ranged GETs, on local disk a few reads. mutagen (imported only on upload) reads WAV, MP3, Ogg,
FLAC, MP4/M4A and ADTS AAC; for anything it cannot read the duration is ``None``.
"""

from __future__ import annotations

import io
import logging
import math

from functions.music.media.storage import Storage
from spotifiuby.observability import log

logger = logging.getLogger("spotifiuby.music.media")

READ_BUFFER = 64 * 1024


class StoredFileReader(io.RawIOBase):
    """A read-only, seekable file over a stored object of known size."""

    def __init__(self, storage: Storage, key: str, size: int, name: str) -> None:
        super().__init__()
        self._storage, self._key, self._size = storage, key, size
        self._position = 0
        self.name = name  # mutagen scores candidate formats by extension too

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self._size - self._position)
        if wanted <= 0:
            return 0
        data = b"".join(self._storage.open_range(self._key, self._position, self._position + wanted - 1))
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


def duration_seconds(storage: Storage, key: str, size: int, extension: str) -> float | None:
    """Seconds of audio in the stored file, or ``None`` when its format does not say."""
    import mutagen

    reader = io.BufferedReader(StoredFileReader(storage, key, size, f"audio.{extension}"), READ_BUFFER)
    try:
        parsed = mutagen.File(reader)
    except Exception:
        # any parse failure (mutagen raises its own errors, struct.error, EOFError ...) only means
        # the duration is unknown: the file was accepted by its signature and still plays
        log(logger, logging.INFO, "audio duration not readable", key=key)
        return None
    length = getattr(getattr(parsed, "info", None), "length", None)
    if not isinstance(length, int | float) or not math.isfinite(length) or length <= 0:
        return None
    return round(float(length), 3)
