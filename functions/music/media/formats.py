"""The media types an upload may declare, and the first bytes each must start with.

A declared type outside the list is 415 ``unsupported_media_type``; content whose first bytes do not
fit the declared family (text sent as ``audio/mpeg``, a PNG sent as ``image/jpeg``) is 415
``content_mismatch``. Checking the signature is enough to refuse what is plainly not audio or an
image; whether the rest of the file decodes is the player's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# enough for every signature below (the longest looks at bytes 8 to 12)
HEAD_BYTES = 64


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(prefixes)


def _riff(form: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == form


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 set sync bits."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0


def _adts_frame(head: bytes) -> bool:
    """An ADTS (raw AAC) frame header: 12 set sync bits, layer 0."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def _iso_media(head: bytes) -> bool:
    """An ISO base media file (MP4, M4A, 3GP): a leading ``ftyp`` box."""
    return head[4:8] == b"ftyp"


@dataclass(frozen=True)
class Format:
    name: str  # also the file extension mutagen scores by
    media_types: tuple[str, ...]
    signature: Callable[[bytes], bool]

    def matches(self, head: bytes) -> bool:
        return self.signature(head)


class Formats:
    """The formats one kind of upload accepts, by declared media type."""

    def __init__(self, kind: str, formats: tuple[Format, ...]) -> None:
        self.kind = kind
        self._by_type = {media_type: f for f in formats for media_type in f.media_types}

    def get(self, media_type: str) -> Format | None:
        return self._by_type.get(media_type)

    @property
    def media_types(self) -> list[str]:
        return sorted(self._by_type)


AUDIO = Formats(
    "audio",
    (
        Format(
            "mp3",
            ("audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg", "audio/x-mp3"),
            lambda head: head.startswith(b"ID3") or _mpeg_frame(head),
        ),
        Format("wav", ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"), _riff(b"WAVE")),
        Format("ogg", ("audio/ogg", "audio/opus", "audio/vorbis", "audio/x-ogg"), _starts(b"OggS")),
        Format("flac", ("audio/flac", "audio/x-flac"), _starts(b"fLaC", b"ID3")),
        Format("m4a", ("audio/mp4", "audio/m4a", "audio/x-m4a", "audio/3gpp"), _iso_media),
        # clients label AAC in an MP4 container audio/aac too
        Format(
            "aac",
            ("audio/aac", "audio/x-aac", "audio/aacp"),
            lambda head: head.startswith((b"ADIF", b"ID3")) or _adts_frame(head) or _iso_media(head),
        ),
        Format("webm", ("audio/webm",), _starts(b"\x1a\x45\xdf\xa3")),
    ),
)

IMAGES = Formats(
    "image",
    (
        Format("jpeg", ("image/jpeg", "image/jpg", "image/pjpeg"), _starts(b"\xff\xd8\xff")),
        Format("png", ("image/png",), _starts(b"\x89PNG\r\n\x1a\n")),
        Format("webp", ("image/webp",), _riff(b"WEBP")),
        Format("gif", ("image/gif",), _starts(b"GIF87a", b"GIF89a")),
    ),
)
