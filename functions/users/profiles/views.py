"""Profiles, search, follows, liked genres and the push token."""

from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from functions.users.profiles import service
from functions.users.profiles.schemas import (
    LikedGenrePage,
    PrivateUserSchema,
    ProfileUpdateSchema,
    PublicUserPage,
    PushTokenSchema,
    UserProfileSchema,
    UserSearchQuery,
)
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.models import User
from spotifiuby.schemas import PageQuery, page

api = Api("profiles")


def _is_admin(caller: Caller | None) -> bool:
    return caller is not None and caller.is_admin


@api.get("/me", response=PrivateUserSchema)
def get_me(*, caller: Caller, session: Session) -> User:
    """The caller's private profile."""
    return service.get_or_404(session, user_id=caller.user_id)


@api.patch("/me", body=ProfileUpdateSchema, response=PrivateUserSchema)
def update_me(*, body: dict[str, Any], caller: Caller, session: Session) -> User:
    """Change name, bio, photo or switch between listener and artist (partial update)."""
    return service.update(session, user_id=caller.user_id, changes=body)


@api.delete("/me", status=204)
def delete_me(*, caller: Caller, session: Session) -> None:
    """Delete the caller's account (the last admin cannot)."""
    service.delete(session, user_id=caller.user_id)


@api.get("/users", query=UserSearchQuery, response=PublicUserPage, auth="optional")
def list_users(*, query: dict[str, Any], caller: Caller | None, session: Session) -> dict[str, Any]:
    """Search public profiles by name."""
    items, total = service.list_users(session, as_admin=_is_admin(caller), **query)
    return page(items, total, query)


@api.get("/users/<int:user_id>", response=UserProfileSchema, auth="optional")
def get_user(*, user_id: int, caller: Caller | None, session: Session) -> Row:
    """A public profile with follower and following counts."""
    return service.get_profile(session, user_id=user_id, as_admin=_is_admin(caller))


@api.get("/users/<int:user_id>/followers", query=PageQuery, response=PublicUserPage, auth="optional")
def list_followers(
    *, user_id: int, query: dict[str, Any], caller: Caller | None, session: Session
) -> dict[str, Any]:
    """Who follows this user, newest first."""
    items, total = service.list_follows(
        session, user_id=user_id, side="followers", as_admin=_is_admin(caller), **query
    )
    return page(items, total, query)


@api.get("/users/<int:user_id>/following", query=PageQuery, response=PublicUserPage, auth="optional")
def list_following(
    *, user_id: int, query: dict[str, Any], caller: Caller | None, session: Session
) -> dict[str, Any]:
    """Whom this user follows, newest first."""
    items, total = service.list_follows(
        session, user_id=user_id, side="following", as_admin=_is_admin(caller), **query
    )
    return page(items, total, query)


@api.put("/me/following/<int:user_id>", status=204)
def follow(*, user_id: int, caller: Caller, session: Session) -> None:
    """Follow a user (idempotent)."""
    service.follow(session, follower_id=caller.user_id, user_id=user_id, as_admin=caller.is_admin)


@api.delete("/me/following/<int:user_id>", status=204)
def unfollow(*, user_id: int, caller: Caller, session: Session) -> None:
    """Stop following a user (idempotent)."""
    service.unfollow(session, follower_id=caller.user_id, user_id=user_id)


@api.get("/me/genres", query=PageQuery, response=LikedGenrePage)
def list_genres(*, query: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """The caller's liked genres, by genre id."""
    items, total = service.list_genres(session, user_id=caller.user_id, **query)
    return page(items, total, query)


@api.put("/me/genres/<int:genre_id>", status=204)
def like_genre(*, genre_id: int, caller: Caller, session: Session) -> None:
    """Like a genre (idempotent)."""
    service.like_genre(session, user_id=caller.user_id, genre_id=genre_id)


@api.delete("/me/genres/<int:genre_id>", status=204)
def unlike_genre(*, genre_id: int, caller: Caller, session: Session) -> None:
    """Stop liking a genre (idempotent)."""
    service.unlike_genre(session, user_id=caller.user_id, genre_id=genre_id)


@api.put("/me/push-token", body=PushTokenSchema, status=204)
def set_push_token(*, body: dict[str, Any], caller: Caller, session: Session) -> None:
    """Register this device's Expo push token."""
    service.set_push_token(session, user_id=caller.user_id, token=body["token"])


@api.delete("/me/push-token", status=204)
def delete_push_token(*, caller: Caller, session: Session) -> None:
    """Forget the push token (e.g. on logout)."""
    service.set_push_token(session, user_id=caller.user_id, token=None)
