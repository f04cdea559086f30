"""Test data factories: build accounts and credentials without going through the API."""

from __future__ import annotations

import itertools
from typing import Any

from functions.users.auth.passwords import hash_password
from spotifiuby.config import Settings
from spotifiuby.db import Database
from spotifiuby.models import Album, Genre, Playlist, Song, User
from spotifiuby.tokens import TokenService

PASSWORD = "Secret123x"
_sequence = itertools.count(1)
_hashed = hash_password(PASSWORD)  # hashing is slow on purpose: hash the default once


def create_user(
    db: Database,
    *,
    role: str = "listener",
    email: str | None = None,
    name: str | None = None,
    password: str | None = PASSWORD,
    blocked: bool = False,
    **fields: Any,
) -> User:
    n = next(_sequence)
    password_hash = _hashed if password == PASSWORD else (hash_password(password) if password else None)
    with db.session() as session:
        user = User(
            email=(email or f"user{n}@example.com").lower(),
            name=name or f"User {n}",
            role=role,
            password_hash=password_hash,
            blocked=blocked,
            **fields,
        )
        session.add(user)
    return user


def create_genre(db: Database, *, name: str | None = None, genre_id: int | None = None) -> Genre:
    name = name or f"Genre {next(_sequence)}"
    with db.session() as session:
        genre = Genre(name=name, name_key=name.casefold())
        if genre_id is not None:
            genre.id = genre_id
        session.add(genre)
    return genre


def create_album(
    db: Database, *, artist: User | None = None, genre: Genre | None = None, **fields: Any
) -> Album:
    artist = artist or create_user(db, role="artist")
    genre = genre or create_genre(db)
    with db.session() as session:
        album = Album(
            artist_id=artist.id,
            genre_id=genre.id,
            title=fields.pop("title", f"Album {next(_sequence)}"),
            **fields,
        )
        session.add(album)
    return album


def create_song(
    db: Database,
    *,
    artist: User | None = None,
    genre: Genre | None = None,
    album: Album | None = None,
    **fields: Any,
) -> Song:
    """A song row (no audio unless ``audio_key`` and friends are given)."""
    if artist is None:
        artist_id = album.artist_id if album is not None else create_user(db, role="artist").id
    else:
        artist_id = artist.id
    genre_id = (
        genre.id if genre is not None else (album.genre_id if album is not None else create_genre(db).id)
    )
    with db.session() as session:
        song = Song(
            artist_id=artist_id,
            genre_id=genre_id,
            album_id=album.id if album is not None else None,
            title=fields.pop("title", f"Song {next(_sequence)}"),
            **fields,
        )
        session.add(song)
    return song


def create_playlist(db: Database, *, owner: User | None = None, **fields: Any) -> Playlist:
    owner = owner or create_user(db)
    with db.session() as session:
        playlist = Playlist(
            owner_id=owner.id, title=fields.pop("title", f"Playlist {next(_sequence)}"), **fields
        )
        session.add(playlist)
    return playlist


def auth_header(settings: Settings, user: User | int, role: str | None = None) -> dict[str, str]:
    """A valid access token for ``user``, as the users function would issue it."""
    user_id = user if isinstance(user, int) else user.id
    token = TokenService(settings).issue(user_id=user_id, role=role or getattr(user, "role", "listener"))
    return {"Authorization": f"Bearer {token}"}
