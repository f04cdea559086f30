"""Audio, covers and play history: uploads, conditional and ranged downloads, listens."""

from typing import Any

from flask import Request, Response
from sqlalchemy.orm import Session

from functions.music.media import service, transfer
from functions.music.media.formats import AUDIO, IMAGES
from functions.music.media.schemas import HistoryPage
from functions.music.media.storage import storage_for
from functions.music.present import AlbumSchema, SongSchema, present_albums, present_songs
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.config import Settings
from spotifiuby.schemas import PageQuery, page

api = Api("media")

COVER_CACHE = "public, max-age=300"


@api.put("/songs/<int:song_id>/audio", response=SongSchema, raw_body="audio/*")
def put_audio(
    *, song_id: int, caller: Caller, session: Session, settings: Settings, request: Request
) -> dict[str, Any]:
    """Upload or replace a song's audio (its artist only; raw body, Content-Type audio/*)."""
    song, _album = service.get_song(session, song_id=song_id, caller=caller)
    service.require_owner(song, caller)
    with transfer.upload(request, AUDIO, max_bytes=settings.max_audio_bytes) as upload:
        song = service.replace_audio(
            session, settings=settings, song_id=song_id, caller=caller, upload=upload
        )
    return present_songs(session, [song], caller)[0]


@api.get("/songs/<int:song_id>/audio")
def get_audio(
    *, song_id: int, caller: Caller, session: Session, settings: Settings, request: Request
) -> Response:
    """Stream a song's audio (single byte ranges, ETag); a request from the first byte is a listen."""
    media = service.get_audio(session, song_id=song_id, caller=caller)
    selection = transfer.select(request, media)
    if selection.includes_first_byte and request.method == "GET":
        service.record_play(session, song_id=song_id, user_id=caller.user_id)
    return transfer.respond(storage_for(settings), media, selection, cache_control="private")


@api.put("/albums/<int:album_id>/cover", response=AlbumSchema, raw_body="image/*")
def put_cover(
    *, album_id: int, caller: Caller, session: Session, settings: Settings, request: Request
) -> dict[str, Any]:
    """Upload or replace an album's cover (its artist only; raw body, Content-Type image/*)."""
    album = service.get_album(session, album_id=album_id, caller=caller)
    service.require_owner(album, caller)
    with transfer.upload(request, IMAGES, max_bytes=settings.max_image_bytes) as upload:
        album = service.replace_cover(
            session, settings=settings, album_id=album_id, caller=caller, upload=upload
        )
    return present_albums(session, [album], caller)[0]


@api.get("/albums/<int:album_id>/cover", auth="optional")
def get_cover(
    *, album_id: int, caller: Caller | None, session: Session, settings: Settings, request: Request
) -> Response:
    """An album's cover image (ETag, byte ranges)."""
    media, public = service.get_cover(session, album_id=album_id, caller=caller)
    selection = transfer.select(request, media)
    cache_control = COVER_CACHE if public else "private"
    return transfer.respond(storage_for(settings), media, selection, cache_control=cache_control)


@api.get("/me/history", query=PageQuery, response=HistoryPage)
def list_history(*, query: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """The caller's plays, newest first."""
    items, total = service.list_history(session, caller=caller, **query)
    return page(items, total, query)
