"""HTTP for stored media, shared by audio and covers: raw uploads in, conditional and ranged bodies out.

Upload: the declared ``Content-Type`` must be one of the kind's formats (415); a ``Content-Length``
above the limit is 413 before a byte is read; an empty body is 422; the first bytes must carry the
declared format's signature (415 ``content_mismatch``). The body then streams to storage, which
enforces the limit on bodies without a length (chunked). Flask's ``MAX_CONTENT_LENGTH`` (the 1 MiB
JSON limit) is not involved: the body is read from the WSGI input directly.

Download (RFC 9110): ``If-None-Match`` matching the ETag (weak comparison, or ``*``) is 304. One
byte range (``a-b``, ``a-``, ``-n``) is 206 with ``Content-Range``; a range starting at or past the
end is 416 with ``Content-Range: bytes */size``; a syntactically invalid range, a unit other than
bytes, an ``If-Range`` that does not name the current ETag, or several ranges are answered with the
whole file (200). The body streams from storage chunk by chunk.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from flask import Request, Response
from werkzeug.http import quote_etag
from werkzeug.wsgi import get_input_stream

from functions.music.media.formats import HEAD_BYTES, Format, Formats
from functions.music.media.storage import Storage
from spotifiuby.errors import PayloadTooLarge, RangeNotSatisfiable, UnsupportedMediaType, ValidationFailed


@dataclass(frozen=True)
class Upload:
    """A request body of a declared and accepted format, not read yet."""

    stream: IO[bytes]
    media_type: str
    format: Format
    kind: str  # "audio", "image"
    max_bytes: int

    def body(self) -> IO[bytes]:
        """The body to store, once its first bytes show it is what it claims: 422 when it is empty,
        415 ``content_mismatch`` when the declared format's signature is missing."""
        head = _read_head(self.stream)
        if not head:
            raise ValidationFailed(details={"body": [f"The {self.kind} file is empty."]})
        if not self.format.matches(head):
            raise UnsupportedMediaType(f"The content is not {self.media_type}.", code="content_mismatch")
        return _Prepended(head, self.stream)


@dataclass(frozen=True)
class MediaFile:
    """A stored file as the database describes it."""

    key: str
    content_type: str
    size: int
    etag: str  # hex SHA-256 of the content


@dataclass(frozen=True)
class Selection:
    """What a GET answers: 304, the whole file (200) or bytes ``start`` to ``end`` inclusive (206)."""

    status: int
    start: int = 0
    end: int = -1

    @property
    def includes_first_byte(self) -> bool:
        return self.status in (200, 206) and self.start == 0


def too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The file is larger than {max_bytes} bytes.", details={"max_bytes": max_bytes})


@contextmanager
def upload(request: Request, formats: Formats, *, max_bytes: int) -> Iterator[Upload]:
    """The request body as an ``Upload``, from its headers alone: 415 for a type outside ``formats``,
    413 for a declared length above ``max_bytes``. Nothing is read before ``Upload.body``."""
    media_format = formats.get(request.mimetype)
    if media_format is None:
        raise UnsupportedMediaType(
            f"The body must be {formats.kind} of a supported type.",
            details={"content_type": formats.media_types},
        )
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large(max_bytes)
    # bounded by Content-Length; a chunked body is cut off by the storage's own limit (what is left
    # unread after a refusal is discarded, see spotifiuby.app.dispatch)
    stream = get_input_stream(request.environ, max_content_length=None)
    yield Upload(stream, request.mimetype, media_format, formats.kind, max_bytes)


def _read_head(stream: IO[bytes]) -> bytes:
    """The first ``HEAD_BYTES`` of the body, or all of a shorter one (reads may come back short)."""
    head = b""
    while len(head) < HEAD_BYTES and (chunk := stream.read(HEAD_BYTES - len(head))):
        head += chunk
    return head


class _Prepended(io.RawIOBase):
    """``stream`` with ``head``, already read from it, put back in front."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        super().__init__()
        self._head, self._stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size], self._head = self._head[:size], self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def select(request: Request, media: MediaFile) -> Selection:
    """The part of ``media`` a GET or HEAD with these conditional and range headers gets."""
    if request.if_none_match.contains_weak(media.etag):
        return Selection(304)
    whole = Selection(200, 0, media.size - 1)
    ranges = request.range
    if ranges is None or ranges.units != "bytes" or len(ranges.ranges) != 1:
        return whole
    if "If-Range" in request.headers and request.if_range.etag != media.etag:
        return whole  # the client's partial copy is of another version
    start, stop = ranges.ranges[0]  # stop exclusive, None for "to the end"; start < 0 for a suffix
    if start < 0:
        return Selection(206, max(0, media.size + start), media.size - 1)
    if start >= media.size:
        raise RangeNotSatisfiable(media.size)
    end = media.size if stop is None else min(stop, media.size)
    return Selection(206, start, end - 1)


def respond(storage: Storage, media: MediaFile, selection: Selection, *, cache_control: str) -> Response:
    headers = {"ETag": quote_etag(media.etag), "Accept-Ranges": "bytes", "Cache-Control": cache_control}
    if selection.status == 304:
        response = Response(status=304, headers=headers)
        del response.headers["Content-Type"]
        return response
    headers["Content-Length"] = str(selection.end - selection.start + 1)
    if selection.status == 206:
        headers["Content-Range"] = f"bytes {selection.start}-{selection.end}/{media.size}"
    return Response(
        storage.open_range(media.key, selection.start, selection.end),
        status=selection.status,
        headers=headers,
        content_type=media.content_type,
        direct_passthrough=True,
    )
