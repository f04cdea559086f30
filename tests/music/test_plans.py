"""What a listener may play follows their subscription, from the next request on."""

from __future__ import annotations

import datetime as dt

from spotifiuby.models import Subscription
from tests.factories import auth_header, create_song, create_user


def subscribe(db, user, plan: str, *, days_left: float) -> None:
    now = dt.datetime.now(dt.UTC)
    with db.session() as session:
        session.add(
            Subscription(
                user_id=user.id,
                plan=plan,
                started_at=now - dt.timedelta(days=1),
                expires_at=now + dt.timedelta(days=days_left),
                price=3_000_000,
            )
        )


def test_a_gold_subscription_makes_gold_songs_playable_until_it_lapses(make_client, db, settings):
    listener = create_user(db)
    gold = create_song(db, min_plan="gold")
    client = make_client("music")
    headers = auth_header(settings, listener)
    assert client.get(f"/songs/{gold.id}", headers=headers).json["playable"] is False
    subscribe(db, listener, "gold", days_left=30)
    assert client.get(f"/songs/{gold.id}", headers=headers).json["playable"] is True
    other = create_user(db)
    subscribe(db, other, "gold", days_left=-0.001)  # lapsed a moment ago, no job has run
    assert client.get(f"/songs/{gold.id}", headers=auth_header(settings, other)).json["playable"] is False
