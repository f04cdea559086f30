"""How songs and albums look in every answer of the music function, built without one query per item.

``present_songs`` and ``present_albums`` take already-loaded rows and add what they refer to
(artists, albums, genres, tracks, the rating summary of the feedback function's ratings) with one
query per kind, whatever the number of rows, then the caller-dependent ``playable``. Playlists,
favourites, search and history reuse them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from marshmallow import fields
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from functions.music.access import can_play, can_play_album, visible_songs
from spotifiuby.auth import Caller
from spotifiuby.models import Album, Genre, Rating, Song, User
from spotifiuby.schemas import Schema, page_schema


class GenreSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ArtistSummarySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AlbumSummarySchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class RatingSummarySchema(Schema):
    count = fields.Integer(required=True)
    average = fields.Float(allow_none=True)


class SongSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    artist = fields.Nested(ArtistSummarySchema, required=True)
    album = fields.Nested(AlbumSummarySchema, allow_none=True)
    track_number = fields.Integer(allow_none=True)
    genre = fields.Nested(GenreSchema, required=True)
    min_plan = fields.String(required=True)
    playable = fields.Boolean(required=True)
    duration_seconds = fields.Float(allow_none=True)
    has_audio = fields.Boolean(required=True)
    play_count = fields.Integer(required=True)
    rating = fields.Nested(RatingSummarySchema, required=True)
    blocked = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class AlbumSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    artist = fields.Nested(ArtistSummarySchema, required=True)
    genre = fields.Nested(GenreSchema, required=True)
    min_plan = fields.String(required=True)
    playable = fields.Boolean(required=True)
    has_cover = fields.Boolean(required=True)
    rating = fields.Nested(RatingSummarySchema, required=True)
    blocked = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class AlbumDetailSchema(AlbumSchema):
    tracks = fields.List(fields.Nested(SongSchema), required=True)


SongPage = page_schema(SongSchema)
AlbumPage = page_schema(AlbumSchema)


def _by_id(session: Session, model: Any, ids: Iterable[int]) -> dict[int, Any]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))}


def user_summaries(session: Session, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{id, name}`` of each user (artists, playlist owners) by id, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(wanted)))
    return {row.id: {"id": row.id, "name": row.name} for row in rows}


NO_RATINGS = {"count": 0, "average": None}


def _ratings(session: Session, column: Any, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{count, average}`` of the ratings per target id, in one grouped query."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(column, func.count(), func.avg(Rating.value)).where(column.in_(wanted)).group_by(column)
    )
    return {target: {"count": n, "average": round(float(average), 2)} for target, n, average in rows}


def present_songs(session: Session, songs: Sequence[Song], caller: Caller | None) -> list[dict[str, Any]]:
    """Songs as answered, in the given order: four queries (artists, albums, genres, ratings) in all."""
    artists = user_summaries(session, (s.artist_id for s in songs))
    albums = _by_id(session, Album, (s.album_id for s in songs if s.album_id is not None))
    genres = _by_id(session, Genre, (s.genre_id for s in songs))
    ratings = _ratings(session, Rating.song_id, (s.id for s in songs))
    return [_song(song, artists, albums, genres, ratings, caller) for song in songs]


def _song(
    song: Song,
    artists: dict[int, dict[str, Any]],
    albums: dict[int, Album],
    genres: dict[int, Genre],
    ratings: dict[int, dict[str, Any]],
    caller: Caller | None,
) -> dict[str, Any]:
    album = albums.get(song.album_id) if song.album_id is not None else None
    genre = genres[song.genre_id]
    return {
        "id": song.id,
        "title": song.title,
        "description": song.description,
        "artist": artists[song.artist_id],
        "album": {"id": album.id, "title": album.title} if album is not None else None,
        "track_number": song.track_number,
        "genre": {"id": genre.id, "name": genre.name},
        "min_plan": song.min_plan,
        "playable": can_play(caller, song, album),
        "duration_seconds": song.duration_seconds,
        "has_audio": song.audio_key is not None,
        "play_count": song.play_count,
        "rating": ratings.get(song.id, NO_RATINGS),
        "blocked": song.blocked,
        "created_at": song.created_at,
        "updated_at": song.updated_at,
    }


def present_albums(
    session: Session, albums: Sequence[Album], caller: Caller | None, *, with_tracks: bool = False
) -> list[dict[str, Any]]:
    """Albums as answered, optionally with their visible tracks in order: a fixed number of queries."""
    artists = user_summaries(session, (a.artist_id for a in albums))
    genres = _by_id(session, Genre, (a.genre_id for a in albums))
    ratings = _ratings(session, Rating.album_id, (a.id for a in albums))
    tracks: dict[int, list[dict[str, Any]]] = {a.id: [] for a in albums}
    if with_tracks and albums:
        songs = list(
            session.scalars(
                select(Song)
                .where(Song.album_id.in_(tracks), visible_songs(caller))
                # NULL track numbers last on both databases (they sort first on SQLite by default)
                .order_by(Song.album_id, Song.track_number.is_(None), Song.track_number, Song.id)
            )
        )
        for song in present_songs(session, songs, caller):
            tracks[song["album"]["id"]].append(song)
    presented = []
    for album in albums:
        genre = genres[album.genre_id]
        item = {
            "id": album.id,
            "title": album.title,
            "description": album.description,
            "artist": artists[album.artist_id],
            "genre": {"id": genre.id, "name": genre.name},
            "min_plan": album.min_plan,
            "playable": can_play_album(caller, album),
            "has_cover": album.cover_key is not None,
            "rating": ratings.get(album.id, NO_RATINGS),
            "blocked": album.blocked,
            "created_at": album.created_at,
            "updated_at": album.updated_at,
        }
        if with_tracks:
            item["tracks"] = tracks[album.id]
        presented.append(item)
    return presented
