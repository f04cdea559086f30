"""Genres, songs and albums (with their track lists)."""

from typing import Any

from sqlalchemy.orm import Session

from functions.music.catalogue import albums, genres, songs
from functions.music.catalogue.schemas import (
    AlbumCreateSchema,
    AlbumQuery,
    AlbumUpdateSchema,
    GenreBodySchema,
    GenreDetailPage,
    GenreDetailSchema,
    SongCreateSchema,
    SongQuery,
    SongUpdateSchema,
)
from functions.music.present import (
    AlbumDetailSchema,
    AlbumPage,
    SongPage,
    SongSchema,
    present_albums,
    present_songs,
)
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.config import Settings
from spotifiuby.models import Album, Genre, Song
from spotifiuby.schemas import PageQuery, page

api = Api("catalogue")


def _song(session: Session, song: Song, caller: Caller | None) -> dict[str, Any]:
    return present_songs(session, [song], caller)[0]


def _album(session: Session, album: Album, caller: Caller | None) -> dict[str, Any]:
    return present_albums(session, [album], caller, with_tracks=True)[0]


# --- genres --------------------------------------------------------------------------------------


@api.get("/genres", query=PageQuery, response=GenreDetailPage, auth="optional")
def list_genres(*, query: dict[str, Any], session: Session) -> dict[str, Any]:
    """Every genre, by name."""
    items, total = genres.list_genres(session, **query)
    return page(items, total, query)


@api.get("/genres/<int:genre_id>", response=GenreDetailSchema, auth="optional")
def get_genre(*, genre_id: int, session: Session) -> Genre:
    """One genre."""
    return genres.get_or_404(session, genre_id=genre_id)


@api.post("/genres", body=GenreBodySchema, response=GenreDetailSchema, status=201, auth="admin")
def create_genre(*, body: dict[str, Any], session: Session) -> Genre:
    """Add a genre; its name must be new whatever the letter case (409 ``genre_exists``)."""
    return genres.create(session, **body)


@api.patch("/genres/<int:genre_id>", body=GenreBodySchema, response=GenreDetailSchema, auth="admin")
def update_genre(*, genre_id: int, body: dict[str, Any], session: Session) -> Genre:
    """Rename a genre."""
    return genres.update(session, genre_id=genre_id, **body)


@api.delete("/genres/<int:genre_id>", status=204, auth="admin")
def delete_genre(*, genre_id: int, session: Session) -> None:
    """Delete a genre no song or album uses (else 409 ``genre_in_use``)."""
    genres.delete(session, genre_id=genre_id)


# --- songs ---------------------------------------------------------------------------------------


@api.get("/songs", query=SongQuery, response=SongPage, auth="optional")
def list_songs(*, query: dict[str, Any], caller: Caller | None, session: Session) -> dict[str, Any]:
    """Songs the caller may see, newest first; ``q`` searches title and description."""
    items, total = songs.list_songs(session, caller=caller, **query)
    return page(present_songs(session, items, caller), total, query)


@api.get("/songs/<int:song_id>", response=SongSchema, auth="optional")
def get_song(*, song_id: int, caller: Caller | None, session: Session) -> dict[str, Any]:
    """One song, with whether the caller can play it."""
    return _song(session, songs.get_visible(session, caller=caller, song_id=song_id), caller)


@api.post("/songs", body=SongCreateSchema, response=SongSchema, status=201)
def create_song(*, body: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """Publish a song (artists); in one of the caller's albums it becomes the last track."""
    return _song(session, songs.create(session, caller=caller, **body), caller)


@api.patch("/songs/<int:song_id>", body=SongUpdateSchema, response=SongSchema)
def update_song(*, song_id: int, body: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """Change a song (its artist or an admin); ``album_id: null`` makes it a single."""
    song = songs.update(session, caller=caller, song_id=song_id, changes=body)
    return _song(session, song, caller)


@api.delete("/songs/<int:song_id>", status=204)
def delete_song(*, song_id: int, caller: Caller, session: Session, settings: Settings) -> None:
    """Delete a song with its audio; it leaves every playlist and favourite list."""
    songs.delete(session, caller=caller, song_id=song_id, settings=settings)


# --- albums --------------------------------------------------------------------------------------


@api.get("/albums", query=AlbumQuery, response=AlbumPage, auth="optional")
def list_albums(*, query: dict[str, Any], caller: Caller | None, session: Session) -> dict[str, Any]:
    """Albums the caller may see, newest first."""
    items, total = albums.list_albums(session, caller=caller, **query)
    return page(present_albums(session, items, caller), total, query)


@api.get("/albums/<int:album_id>", response=AlbumDetailSchema, auth="optional")
def get_album(*, album_id: int, caller: Caller | None, session: Session) -> dict[str, Any]:
    """One album with its tracks in order (those the caller may see)."""
    return _album(session, albums.get_visible(session, caller=caller, album_id=album_id), caller)


@api.post("/albums", body=AlbumCreateSchema, response=AlbumDetailSchema, status=201)
def create_album(*, body: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """Publish an album (artists); ``song_ids`` (the caller's singles) become its tracks in order."""
    return _album(session, albums.create(session, caller=caller, **body), caller)


@api.patch("/albums/<int:album_id>", body=AlbumUpdateSchema, response=AlbumDetailSchema)
def update_album(*, album_id: int, body: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """Change an album (its artist or an admin)."""
    return _album(session, albums.update(session, caller=caller, album_id=album_id, changes=body), caller)


@api.delete("/albums/<int:album_id>", status=204)
def delete_album(*, album_id: int, caller: Caller, session: Session, settings: Settings) -> None:
    """Delete an album with its cover; its songs stay, as singles."""
    albums.delete(session, caller=caller, album_id=album_id, settings=settings)


@api.put("/albums/<int:album_id>/songs/<int:song_id>", response=AlbumDetailSchema)
def add_track(*, album_id: int, song_id: int, caller: Caller, session: Session) -> dict[str, Any]:
    """Append one of the artist's singles as the last track (idempotent); answers the album."""
    album = albums.add_track(session, caller=caller, album_id=album_id, song_id=song_id)
    return _album(session, album, caller)


@api.delete("/albums/<int:album_id>/songs/<int:song_id>", status=204)
def remove_track(*, album_id: int, song_id: int, caller: Caller, session: Session) -> None:
    """Take a track out of the album (it becomes a single; later tracks move up); idempotent."""
    albums.remove_track(session, caller=caller, album_id=album_id, song_id=song_id)
