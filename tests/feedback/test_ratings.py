"""Ratings: PUT/GET/DELETE /{kind}/{id}/rating and GET /{kind}/{id}/ratings/summary."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from spotifiuby.models import Rating
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import auth_header, create_album, create_song, create_user
from tests.feedback.helpers import each_kind, make_target


@each_kind
def test_put_creates_then_replaces_the_one_rating(make_client, db, settings, kind):
    target, _ = make_target(db, kind)
    user = create_user(db)
    client = make_client("feedback")
    first = client.put(f"/{kind}/{target.id}/rating", json={"value": 4}, headers=auth_header(settings, user))
    assert first.status_code == 200, first.json
    assert set(first.json) == {"value", "created_at", "updated_at"}
    assert first.json["value"] == 4
    second = client.put(f"/{kind}/{target.id}/rating", json={"value": 2}, headers=auth_header(settings, user))
    assert second.status_code == 200, second.json
    assert second.json["value"] == 2
    assert second.json["created_at"] == first.json["created_at"]
    assert second.json["updated_at"] >= first.json["updated_at"]
    own = client.get(f"/{kind}/{target.id}/rating", headers=auth_header(settings, user))
    assert own.status_code == 200 and own.json == second.json
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == 1


@each_kind
@pytest.mark.parametrize("value", [4.7, 5.0, 0, 6, -1, "5", True, None, [5], {"v": 5}])
def test_only_an_integer_from_1_to_5_is_a_rating(make_client, db, settings, kind, value):
    target, _ = make_target(db, kind)
    response = make_client("feedback").put(
        f"/{kind}/{target.id}/rating", json={"value": value}, headers=auth_header(settings, create_user(db))
    )
    assert "value" in assert_error(response, 422, "validation_failed")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == 0


@pytest.mark.parametrize("body", [{}, {"value": 3, "user_id": 1}, {"value": 3, "stars": 1}])
def test_missing_and_unknown_fields_are_422(make_client, db, settings, body):
    target, _ = make_target(db, "albums")
    response = make_client("feedback").put(
        f"/albums/{target.id}/rating", json=body, headers=auth_header(settings, create_user(db))
    )
    assert_error(response, 422, "validation_failed")


@each_kind
def test_own_rating_is_404_when_none_and_delete_is_204_even_then(make_client, db, settings, kind):
    target, _ = make_target(db, kind)
    headers = auth_header(settings, create_user(db))
    client = make_client("feedback")
    assert_error(client.get(f"/{kind}/{target.id}/rating", headers=headers), 404, "not_found")
    assert client.delete(f"/{kind}/{target.id}/rating", headers=headers).status_code == 204
    client.put(f"/{kind}/{target.id}/rating", json={"value": 5}, headers=headers)
    assert client.delete(f"/{kind}/{target.id}/rating", headers=headers).status_code == 204
    assert_error(client.get(f"/{kind}/{target.id}/rating", headers=headers), 404, "not_found")


@each_kind
def test_rating_needs_a_user(make_client, db, kind):
    target, _ = make_target(db, kind)
    client = make_client("feedback")
    assert_error(client.put(f"/{kind}/{target.id}/rating", json={"value": 3}), 401, "unauthorized")
    assert_error(client.get(f"/{kind}/{target.id}/rating"), 401, "unauthorized")
    assert_error(client.delete(f"/{kind}/{target.id}/rating"), 401, "unauthorized")


@each_kind
def test_summary_counts_averages_and_histograms(make_client, db, settings, kind):
    target, _ = make_target(db, kind)
    client = make_client("feedback")
    empty = client.get(f"/{kind}/{target.id}/ratings/summary")
    assert empty.status_code == 200, empty.json
    assert empty.json == {
        "count": 0,
        "average": None,
        "histogram": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }
    for value in (5, 4, 4):
        client.put(
            f"/{kind}/{target.id}/rating",
            json={"value": value},
            headers=auth_header(settings, create_user(db)),
        )
    other, _ = make_target(db, kind)  # ratings of another target do not count
    client.put(
        f"/{kind}/{other.id}/rating", json={"value": 1}, headers=auth_header(settings, create_user(db))
    )
    summary = client.get(f"/{kind}/{target.id}/ratings/summary").json
    assert summary == {"count": 3, "average": 4.33, "histogram": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}}


def test_the_average_rounds_half_up_to_two_decimals(make_client, db, settings):
    album, _ = make_target(db, "albums")
    client = make_client("feedback")
    for value in (5, 5, 5, 5, 5, 5, 1, 1):  # 32 / 8 = 4.0
        client.put(
            f"/albums/{album.id}/rating",
            json={"value": value},
            headers=auth_header(settings, create_user(db)),
        )
    assert client.get(f"/albums/{album.id}/ratings/summary").json["average"] == 4.0
    client.put(
        f"/albums/{album.id}/rating", json={"value": 2}, headers=auth_header(settings, create_user(db))
    )
    assert client.get(f"/albums/{album.id}/ratings/summary").json["average"] == 3.78  # 34 / 9 = 3.777...


@each_kind
def test_unknown_and_hidden_targets_are_404(make_client, db, settings, kind):
    user = create_user(db)
    admin = create_user(db, role="admin")
    blocked, owner = make_target(db, kind, blocked=True)
    client = make_client("feedback")
    for target_id in (999_999, 0, 2**31, blocked.id):
        assert_error(
            client.put(f"/{kind}/{target_id}/rating", json={"value": 3}, headers=auth_header(settings, user)),
            404,
            "not_found",
        )
        assert_error(client.get(f"/{kind}/{target_id}/ratings/summary"), 404, "not_found")
    # its owner and admins still see it
    for who in (owner, admin):
        response = client.put(
            f"/{kind}/{blocked.id}/rating", json={"value": 3}, headers=auth_header(settings, who)
        )
        assert response.status_code == 200, response.json
    assert (
        client.get(f"/{kind}/{blocked.id}/ratings/summary", headers=auth_header(settings, admin)).json[
            "count"
        ]
        == 2
    )


def test_songs_of_a_blocked_album_or_artist_are_hidden(make_client, db, settings):
    album = create_album(db, blocked=True)
    in_blocked_album = create_song(db, album=album)
    blocked_artist = create_user(db, role="artist", blocked=True)
    by_blocked_artist = create_song(db, artist=blocked_artist)
    album_of_blocked_artist = create_album(db, artist=blocked_artist)
    client = make_client("feedback")
    headers = auth_header(settings, create_user(db))
    for path in (
        f"/songs/{in_blocked_album.id}",
        f"/songs/{by_blocked_artist.id}",
        f"/albums/{album_of_blocked_artist.id}",
    ):
        assert_error(client.put(f"{path}/rating", json={"value": 3}, headers=headers), 404, "not_found")
        assert_error(client.get(f"{path}/ratings/summary"), 404, "not_found")


def test_a_song_and_an_album_with_the_same_id_are_rated_apart(make_client, db, settings):
    song = create_song(db)
    album = create_album(db)
    assert song.id == album.id == 1
    headers = auth_header(settings, create_user(db))
    client = make_client("feedback")
    client.put("/songs/1/rating", json={"value": 1}, headers=headers)
    client.put("/albums/1/rating", json={"value": 5}, headers=headers)
    assert client.get("/songs/1/rating", headers=headers).json["value"] == 1
    assert client.get("/albums/1/rating", headers=headers).json["value"] == 5


@pytest.mark.postgres_only
def test_simultaneous_first_ratings_make_one_row(make_client, db, settings):
    album = create_album(db)
    user = create_user(db)
    headers = auth_header(settings, user)
    client = make_client("feedback")
    n = 30

    def rate(value: int):
        return lambda: client.put(f"/albums/{album.id}/rating", json={"value": value}, headers=headers)

    started = time.perf_counter()
    responses = race([rate(1 + i % 5) for i in range(n)])
    elapsed = time.perf_counter() - started
    assert [r.status_code for r in responses] == [200] * n, [
        r.json for r in responses if r.status_code != 200
    ]
    with db.session() as session:
        rows = session.scalars(select(Rating).where(Rating.album_id == album.id)).all()
    assert len(rows) == 1
    assert rows[0].value in {r.json["value"] for r in responses}
    summary = client.get(f"/albums/{album.id}/ratings/summary").json
    assert summary["count"] == 1
    print(f"{n} simultaneous first ratings in {elapsed:.2f}s")
