"""Moderation of songs and albums, and the content metrics (admins only)."""

from typing import Any

from sqlalchemy.orm import Session

from functions.music.admin import service
from functions.music.admin.schemas import (
    ContentMetricsSchema,
    ModeratedAlbumSchema,
    ModeratedSongSchema,
    ModerationSchema,
)
from functions.music.present import present_albums, present_songs
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.models import Album, Song
from spotifiuby.schemas import DayRangeQuery

api = Api("admin")


@api.patch("/admin/songs/<int:song_id>", body=ModerationSchema, response=ModeratedSongSchema, auth="admin")
def moderate_song(*, song_id: int, body: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """Block or unblock a song (a blocked song is hidden from all but its artist and admins)."""
    song = service.moderate(session, admin_id=caller.user_id, model=Song, item_id=song_id, **body)
    return {**present_songs(session, [song], caller)[0], "blocked_reason": song.blocked_reason}


@api.patch("/admin/albums/<int:album_id>", body=ModerationSchema, response=ModeratedAlbumSchema, auth="admin")
def moderate_album(
    *, album_id: int, body: dict[str, Any], caller: Caller, session: Session
) -> dict[str, Any]:
    """Block or unblock an album (its songs are hidden with it from all but its artist and admins)."""
    album = service.moderate(session, admin_id=caller.user_id, model=Album, item_id=album_id, **body)
    presented = present_albums(session, [album], caller, with_tracks=True)[0]
    return {**presented, "blocked_reason": album.blocked_reason}


@api.get("/admin/metrics/content", query=DayRangeQuery, response=ContentMetricsSchema, auth="admin")
def content_metrics(*, query: dict[str, Any], session: Session) -> dict[str, Any]:
    """New songs and albums and plays per UTC day, counts by genre and by plan, most played songs."""
    return service.content_metrics(session, **query)
