"""Demo content for a fresh local catalogue: genres, two artists, two albums, six playable songs.

``ensure_demo_content(session, storage)`` adds it only when the catalogue has no song and no album,
so a second call (every ``./dev up``) changes nothing. The artists are accounts without a password
(``demo-artist-N@spotifiuby.local``): nobody can log in as them. Each song gets a short generated
WAV tone, a different pitch per song, stored through the storage interface like an upload.
``./dev up`` calls it after the migrations unless ``DEMO_CONTENT=0``.
"""

from __future__ import annotations

import io
import math
import secrets
import wave
from array import array
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from functions.music.media.storage import Storage
from spotifiuby.models import Album, Genre, Song, User

GENRES = ("Rock", "Jazz", "Cumbia", "Electrónica")
SAMPLE_RATE = 22050
TONE_SECONDS = 3


@dataclass(frozen=True)
class DemoSong:
    title: str
    description: str
    genre: str
    min_plan: str
    frequency: float  # Hz


@dataclass(frozen=True)
class DemoArtist:
    email: str
    name: str
    album_title: str
    album_description: str
    album_genre: str
    album_min_plan: str
    tracks: tuple[DemoSong, ...]
    singles: tuple[DemoSong, ...]


ARTISTS = (
    DemoArtist(
        email="demo-artist-1@spotifiuby.local",
        name="Los Demostradores",
        album_title="Primer ensayo",
        album_description="Rock de garage grabado con un solo oscilador.",
        album_genre="Rock",
        album_min_plan="free",
        tracks=(
            DemoSong("Acorde inicial", "Un La grave para afinar las guitarras.", "Rock", "free", 220.0),
            DemoSong("Distorsión de prueba", "El Do central, sin distorsión.", "Rock", "regular", 261.63),
        ),
        singles=(DemoSong("Cumbia del tono puro", "Un Mi para bailar.", "Cumbia", "free", 329.63),),
    ),
    DemoArtist(
        email="demo-artist-2@spotifiuby.local",
        name="Trío Sintético",
        album_title="Ondas",
        album_description="Electrónica minimalista: una onda senoidal por tema.",
        album_genre="Electrónica",
        album_min_plan="regular",
        tracks=(
            DemoSong("Onda senoidal", "Un Sol limpio.", "Electrónica", "regular", 392.0),
            DemoSong("Frecuencia dorada", "El La de concierto, para gold.", "Electrónica", "gold", 440.0),
        ),
        singles=(DemoSong("Blue tone", "A high C for late-night jazz.", "Jazz", "free", 523.25),),
    ),
)


@dataclass(frozen=True)
class DemoSummary:
    genres: int
    artists: int
    albums: int
    songs: int


def tone_wav(frequency: float, seconds: float, rate: int = SAMPLE_RATE) -> bytes:
    """A mono 16-bit WAV of a sine tone, faded in and out so it does not click."""
    frames = int(seconds * rate)
    fade = max(1, min(frames // 2, rate // 50))  # 20 ms
    step = 2 * math.pi * frequency / rate
    samples = array(
        "h",
        (
            int(12000 * math.sin(step * i) * min(1.0, i / fade, (frames - 1 - i) / fade))
            for i in range(frames)
        ),
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())  # WAV is little-endian, as are the machines we run on
    return buffer.getvalue()


def catalogue_is_empty(session: Session) -> bool:
    no_songs = session.scalar(select(Song.id).limit(1)) is None
    return no_songs and session.scalar(select(Album.id).limit(1)) is None


def ensure_demo_content(session: Session, storage: Storage) -> DemoSummary | None:
    """Add the demo catalogue when there is none; ``None`` when the catalogue already had content."""
    if not catalogue_is_empty(session):
        return None
    genres = _genres(session)
    songs = 0
    for spec in ARTISTS:
        artist = _artist(session, spec)
        album = Album(
            artist_id=artist.id,
            title=spec.album_title,
            description=spec.album_description,
            genre_id=genres[spec.album_genre].id,
            min_plan=spec.album_min_plan,
        )
        session.add(album)
        session.flush()
        placed = [(song, album, n) for n, song in enumerate(spec.tracks, 1)]
        placed += [(song, None, None) for song in spec.singles]
        for song_spec, song_album, track_number in placed:
            _song(session, storage, song_spec, artist, song_album, track_number, genres)
            songs += 1
    return DemoSummary(genres=len(genres), artists=len(ARTISTS), albums=len(ARTISTS), songs=songs)


def _genres(session: Session) -> dict[str, Genre]:
    """The demo genres by name, creating those an admin has not created already."""
    existing = {
        genre.name_key: genre
        for genre in session.scalars(select(Genre).where(Genre.name_key.in_([g.casefold() for g in GENRES])))
    }
    genres = {}
    for name in GENRES:
        genre = existing.get(name.casefold())
        if genre is None:
            genre = Genre(name=name, name_key=name.casefold())
            session.add(genre)
        genres[name] = genre
    session.flush()
    return genres


def _artist(session: Session, spec: DemoArtist) -> User:
    from functions.users.auth.service import create_user

    existing = session.scalar(select(User).where(User.email == spec.email))
    if existing is not None:  # the demo ran before and its songs were deleted since
        return existing
    return create_user(session, email=spec.email, name=spec.name, password=None, role="artist")


def _song(
    session: Session,
    storage: Storage,
    spec: DemoSong,
    artist: User,
    album: Album | None,
    track_number: int | None,
    genres: dict[str, Genre],
) -> Song:
    song = Song(
        artist_id=artist.id,
        title=spec.title,
        description=spec.description,
        genre_id=genres[spec.genre].id,
        album_id=album.id if album is not None else None,
        track_number=track_number,
        min_plan=spec.min_plan,
    )
    session.add(song)
    session.flush()
    audio = tone_wav(spec.frequency, TONE_SECONDS)
    key = f"songs/{song.id}/{secrets.token_hex(16)}"
    stored = storage.put(key, io.BytesIO(audio), content_type="audio/wav", max_bytes=len(audio))
    song.audio_key = key
    song.audio_content_type = "audio/wav"
    song.audio_size = stored.size
    song.audio_etag = stored.etag
    song.duration_seconds = float(TONE_SECONDS)
    return song
