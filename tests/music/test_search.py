"""GET /search and the full-text matching behind every ``q=`` of the music function, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from functions.music.search.text import text_filter, text_rank
from migrations import downgrade, upgrade
from spotifiuby.models import Album, Genre, Playlist, PlaylistCollaborator, Song, User
from tests.conftest import _postgres_database
from tests.factories import (
    auth_header,
    create_album,
    create_genre,
    create_playlist,
    create_song,
    create_user,
)
from tests.queries import counted_queries

BEFORE_SEARCH = "67aab03222a8"  # the music schema, the revision before the search migration

WEIRD_QUERIES = [
    '"',
    '"unclosed',
    "*",
    "rock*",
    "AND",
    "rock AND",
    "OR NOT rock",
    "-rock",
    "NEAR(rock roll)",
    "title:rock",
    "rock:*",
    "'",
    "it's",
    "\\",
    "a & b | !c",
    "(",
    "%_",
    "^rock",
    "{title description}: rock",
]


@pytest.fixture
def client(make_client: Any) -> Any:
    return make_client("music")


def search(client: Any, headers: dict[str, str] | None = None, **params: Any) -> Any:
    response = client.get("/search", query_string=params, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for item in items]


def test_title_matches_rank_above_description_matches(client, db):
    in_description = create_song(db, title="Morning", description="a sunrise over the sea")
    in_title = create_song(db, title="Sunrise", description="early")
    create_song(db, title="Sunset", description="late")
    album_in_description = create_album(db, title="Dawn", description="sunrise songs")
    album_in_title = create_album(db, title="Sunrise Sessions")
    playlist_in_description = create_playlist(db, title="Wake up", description="sunrise mix")
    playlist_in_title = create_playlist(db, title="Sunrise")

    found = search(client, q="sunrise")

    assert ids(found["songs"]) == [in_title.id, in_description.id]
    assert ids(found["albums"]) == [album_in_title.id, album_in_description.id]
    assert ids(found["playlists"]) == [playlist_in_title.id, playlist_in_description.id]


def test_between_equal_matches_the_shorter_text_ranks_first(client, db):
    longer = create_song(db, title="Sunrise over the quiet sea at dawn")
    shorter = create_song(db, title="Sunrise")

    assert ids(search(client, q="sunrise")["songs"]) == [shorter.id, longer.id]


def test_equal_ranks_are_ordered_by_id(client, db):
    songs = [create_song(db, title=f"Blue {n}") for n in range(3)]

    assert ids(search(client, q="blue")["songs"]) == [song.id for song in songs]


def test_the_last_word_matches_as_a_prefix_and_every_word_must_match(client, db):
    morning = create_song(db, title="Sunrise in the morning")
    create_song(db, title="Sunrise at night")
    create_song(db, title="Morning coffee")

    assert set(ids(search(client, q="sunr")["songs"])) == {morning.id, morning.id + 1}
    assert ids(search(client, q="morning sunr")["songs"]) == [morning.id]
    # only the last word is a prefix
    assert search(client, q="sunr morning")["songs"] == []


def test_matching_ignores_case_and_keeps_accents(client, db):
    song = create_song(db, title="Canción de CUNA")

    assert ids(search(client, q="canción cuna")["songs"]) == [song.id]
    assert ids(search(client, q="CANCIÓN")["songs"]) == [song.id]
    assert search(client, q="cancion")["songs"] == []


def test_words_with_inner_punctuation_match_as_the_stored_text_was_split(client, db):
    band = create_song(db, title="Tribute to AC/DC")
    rock = create_song(db, title="Rock-and-Roll all night")

    assert ids(search(client, q="ac/dc")["songs"]) == [band.id]
    assert ids(search(client, q="rock-and-roll")["songs"]) == [rock.id]


@pytest.mark.parametrize("q", WEIRD_QUERIES)
def test_query_syntax_characters_are_plain_text(client, db, q):
    create_song(db, title="Rock and roll", description="it's a title: with punctuation")

    found = search(client, q=q)

    assert set(found) == {"songs", "albums", "playlists", "artists"}


def test_operators_and_quotes_are_searched_as_words(client, db):
    song = create_song(db, title="Rock and roll")
    create_song(db, title="Jazz")

    for q in ["rock AND", "-rock", '"rock"', "rock*", "(rock)", "NOT rock", "rock OR"]:
        expected = [] if q in ("NOT rock", "rock OR") else [song.id]
        assert ids(search(client, q=q)["songs"]) == expected, q


def test_a_query_without_letters_or_digits_matches_nothing(client, db):
    create_song(db, title="Rock")
    create_user(db, role="artist", name="*** Stars ***")

    found = search(client, q="***")

    assert found["songs"] == [] and found["albums"] == [] and found["playlists"] == []
    assert len(found["artists"]) == 1  # artists match the name as a substring


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 101},
        {"q": "rock", "type": "song,track"},
        {"q": "rock", "type": ""},
        {"q": "rock", "type": ","},
        {"q": "rock", "limit": "0"},
        {"q": "rock", "limit": "51"},
        {"q": "rock", "limit": "ten"},
        {"q": "rock", "offset": "1"},
    ],
)
def test_bad_queries_are_422(client, db, params):
    response = client.get("/search", query_string=params)

    assert response.status_code == 422
    assert response.get_json()["error"]["details"]


def test_a_hundred_character_query_is_accepted(client, db):
    assert search(client, q="x" * 100)["songs"] == []


def test_type_selects_the_lists_in_the_answer(client, db):
    artist = create_user(db, role="artist", name="Rock Band")
    song = create_song(db, artist=artist, title="Rock")
    album = create_album(db, artist=artist, title="Rock")
    playlist = create_playlist(db, title="Rock")

    assert set(search(client, q="rock", type="song")) == {"songs"}
    both = search(client, q="rock", type=" artist , album,album")
    assert set(both) == {"albums", "artists"}
    assert ids(both["albums"]) == [album.id]
    assert both["artists"] == [{"id": artist.id, "name": "Rock Band"}]
    everything = search(client, q="rock")
    assert ids(everything["songs"]) == [song.id]
    assert everything["playlists"][0]["id"] == playlist.id


def test_limit_applies_to_each_type(client, db):
    artist = create_user(db, role="artist", name="Blue Artist")
    songs = [create_song(db, artist=artist, title=f"Blue {n}") for n in range(12)]
    albums = [create_album(db, artist=artist, title=f"Blue {n}") for n in range(3)]

    found = search(client, q="blue", limit=2)
    assert ids(found["songs"]) == [song.id for song in songs[:2]]
    assert ids(found["albums"]) == [album.id for album in albums[:2]]
    assert len(search(client, q="blue")["songs"]) == 10  # the default
    assert len(search(client, q="blue", limit=50)["songs"]) == 12


def test_answer_shapes(client, db, settings):
    owner = create_user(db, name="Paula")
    artist = create_user(db, role="artist", name="Sunny")
    genre = create_genre(db, name="Pop")
    album = create_album(db, artist=artist, genre=genre, title="Sunny album", min_plan="gold")
    song = create_song(db, artist=artist, album=album, title="Sunny song", track_number=1)
    playlist = create_playlist(db, owner=owner, title="Sunny day", description="warm", public=True)

    found = search(client, auth_header(settings, owner), q="sunny")

    assert found["playlists"] == [
        {
            "id": playlist.id,
            "title": "Sunny day",
            "description": "warm",
            "owner": {"id": owner.id, "name": "Paula"},
            "public": True,
        }
    ]
    [presented_song] = found["songs"]
    assert presented_song["id"] == song.id
    assert presented_song["artist"] == {"id": artist.id, "name": "Sunny"}
    assert presented_song["album"] == {"id": album.id, "title": "Sunny album"}
    assert presented_song["genre"] == {"id": genre.id, "name": "Pop"}
    assert presented_song["playable"] is False  # the album asks for gold, the listener has free
    [presented_album] = found["albums"]
    assert presented_album["id"] == album.id and presented_album["min_plan"] == "gold"
    assert "tracks" not in presented_album
    assert found["artists"] == [{"id": artist.id, "name": "Sunny"}]


def test_blocked_songs_and_albums_show_only_to_their_owner_and_admins(client, db, settings):
    artist = create_user(db, role="artist")
    blocked_song = create_song(db, artist=artist, title="Hidden tune", blocked=True)
    blocked_album = create_album(db, artist=artist, title="Hidden album", blocked=True)
    in_blocked_album = create_song(db, album=blocked_album, title="Hidden track")
    create_song(db, title="Hidden but fine")
    other = create_user(db)
    admin = create_user(db, role="admin")

    for headers in ({}, auth_header(settings, other)):
        found = search(client, headers, q="hidden")
        assert [s["title"] for s in found["songs"]] == ["Hidden but fine"]
        assert found["albums"] == []
    for user in (artist, admin):
        found = search(client, auth_header(settings, user), q="hidden")
        assert {s["id"] for s in found["songs"]} > {blocked_song.id, in_blocked_album.id}
        assert ids(found["albums"]) == [blocked_album.id]


def test_private_playlists_show_to_owner_collaborators_and_admins(client, db, settings):
    owner, collaborator, stranger = create_user(db), create_user(db), create_user(db)
    admin = create_user(db, role="admin")
    private = create_playlist(db, owner=owner, title="Secret mix", public=False)
    public = create_playlist(db, owner=stranger, title="Open mix")
    with db.session() as session:
        session.add(PlaylistCollaborator(playlist_id=private.id, user_id=collaborator.id))

    assert ids(search(client, q="mix")["playlists"]) == [public.id]
    assert ids(search(client, auth_header(settings, stranger), q="mix")["playlists"]) == [public.id]
    for user in (owner, collaborator, admin):
        found = search(client, auth_header(settings, user), q="mix")["playlists"]
        assert ids(found) == [private.id, public.id], user.id
        assert found[0]["public"] is False


def test_playlists_of_blocked_accounts_show_only_to_admins(client, db, settings):
    blocked = create_user(db, blocked=True)
    create_playlist(db, owner=blocked, title="Banned mix")
    admin = create_user(db, role="admin")

    assert search(client, q="banned")["playlists"] == []
    assert len(search(client, auth_header(settings, admin), q="banned")["playlists"]) == 1


def test_artists_match_names_as_substrings_closest_first(client, db, settings):
    contains = create_user(db, role="artist", name="The Moonwalkers")
    starts = create_user(db, role="artist", name="Moonlight")
    exact = create_user(db, role="artist", name="MOON")
    create_user(db, name="Moon listener")  # not an artist
    create_user(db, role="admin", name="Moon admin")
    create_user(db, role="artist", name="Moon banned", blocked=True)
    admin = create_user(db, role="admin")

    for headers in ({}, auth_header(settings, admin)):  # blocked artists stay out even for admins
        found = search(client, headers, q="moon", type="artist")["artists"]
        assert ids(found) == [exact.id, starts.id, contains.id]


def test_artist_names_take_percent_and_underscore_literally(client, db):
    percent = create_user(db, role="artist", name="100% Pure")
    create_user(db, role="artist", name="1000 Pure")
    underscore = create_user(db, role="artist", name="a_b")
    create_user(db, role="artist", name="axb")

    assert ids(search(client, q="0%", type="artist")["artists"]) == [percent.id]
    assert ids(search(client, q="a_b", type="artist")["artists"]) == [underscore.id]


@pytest.mark.parametrize(
    ("model", "factory", "key"),
    [(Song, create_song, "songs"), (Album, create_album, "albums"), (Playlist, create_playlist, "playlists")],
)
def test_an_edited_row_is_found_by_its_new_words_and_a_deleted_one_not_at_all(
    client, db, model, factory, key
):
    row = factory(db, title="Old name", description="plain")
    gone = factory(db, title="Old times")
    with db.session() as session:
        edited = session.get(model, row.id)
        edited.title = "Brand new"
        edited.description = "shiny"
        session.delete(session.get(model, gone.id))

    assert search(client, q="old")[key] == []
    assert ids(search(client, q="brand")[key]) == [row.id]
    assert ids(search(client, q="shiny")[key]) == [row.id]
    assert search(client, q="plain")[key] == []


def test_other_updates_leave_the_index_right(client, db):
    song = create_song(db, title="Counting stars")
    with db.session() as session:
        session.get(Song, song.id).play_count = 7

    [found] = search(client, q="counting")["songs"]
    assert found["play_count"] == 7


def test_the_number_of_queries_does_not_grow_with_the_results(client, db, settings):
    def populate(n: int) -> None:
        for i in range(n):
            artist = create_user(db, role="artist", name=f"Echo artist {i}")
            album = create_album(db, artist=artist, title=f"Echo album {i}")
            create_song(db, artist=artist, album=album, title=f"Echo song {i}")
            create_song(db, artist=artist, title=f"Echo single {i}")
            create_playlist(db, title=f"Echo playlist {i}")

    user = create_user(db)
    headers = auth_header(settings, user)
    populate(1)
    with counted_queries(client) as few:
        search(client, headers, q="echo")
    populate(5)
    with counted_queries(client) as many:
        found = search(client, headers, q="echo")

    assert len(found["songs"]) == 10 and len(found["artists"]) == 6
    assert len(many) == len(few)


@pytest.fixture
def empty_url(backend: Any, tmp_path: Path) -> Iterator[str]:
    """A database of this run's kind with nothing in it, not even the schema."""
    if not backend.is_postgres:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    databases = _postgres_database(tmp_path)
    yield next(databases)
    next(databases, None)


def test_rows_from_before_the_migration_are_searchable_and_the_cycle_repeats(empty_url):
    upgrade(empty_url, BEFORE_SEARCH)
    engine = create_engine(empty_url)
    try:
        with Session(engine) as session, session.begin():
            artist = User(email="old@example.com", name="Old", role="artist")
            genre = Genre(name="Old", name_key="old")
            session.add_all([artist, genre])
            session.flush()
            session.add(
                Song(artist_id=artist.id, genre_id=genre.id, title="Vintage tune", description="dusty")
            )

        def found(q: str) -> list[str]:
            with Session(engine) as session:
                stmt = select(Song.title).where(text_filter(session, Song, q))
                return list(session.scalars(stmt.order_by(text_rank(session, Song, q).desc())))

        upgrade(empty_url)
        assert found("vint") == ["Vintage tune"]
        downgrade(empty_url, BEFORE_SEARCH)
        upgrade(empty_url)
        assert found("dusty") == ["Vintage tune"]
    finally:
        engine.dispose()
