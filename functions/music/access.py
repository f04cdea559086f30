"""Who sees and who plays what: the rules every music route applies.

- Blocked content (a blocked song, any song of a blocked album, anything of a blocked account) is
  hidden from everyone but admins and its owner: lists leave it out and reading it is 404. Blocked
  accounts are hidden the same way by the users function.
- Anyone may list what is visible; each song says whether the caller can play it. A song's
  effective plan is the higher of its own ``min_plan`` and its album's. Owners and admins always
  can play; anonymous callers count as ``free``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import object_session

from spotifiuby.auth import Caller
from spotifiuby.models import Album, Playlist, PlaylistCollaborator, Song, User
from spotifiuby.models.music import PLANS, plan_level


def privileged(caller: Caller | None, owner_id: int) -> bool:
    return caller is not None and (caller.is_admin or caller.user_id == owner_id)


def visible_songs(caller: Caller | None) -> ColumnElement[bool]:
    """SQL condition: the song shows to ``caller``."""
    if caller is not None and caller.is_admin:
        return true()
    album_blocked = exists(select(Album.id).where(Album.id == Song.album_id, Album.blocked == true()))
    visible = and_(Song.blocked == false(), ~album_blocked, ~_account_blocked(Song.artist_id))
    return or_(visible, Song.artist_id == caller.user_id) if caller is not None else visible


def visible_albums(caller: Caller | None) -> ColumnElement[bool]:
    if caller is not None and caller.is_admin:
        return true()
    visible = and_(Album.blocked == false(), ~_account_blocked(Album.artist_id))
    return or_(visible, Album.artist_id == caller.user_id) if caller is not None else visible


def visible_playlists(caller: Caller | None) -> ColumnElement[bool]:
    """SQL condition: the playlist shows to ``caller``. A public playlist shows to everyone; a private
    one to its owner, its collaborators and admins; a blocked account's to admins only."""
    if caller is not None and caller.is_admin:
        return true()
    owner_active = ~_account_blocked(Playlist.owner_id)
    if caller is None:
        return and_(Playlist.public == true(), owner_active)
    collaborates = exists(
        select(PlaylistCollaborator.user_id).where(
            PlaylistCollaborator.playlist_id == Playlist.id, PlaylistCollaborator.user_id == caller.user_id
        )
    )
    return and_(
        owner_active, or_(Playlist.public == true(), Playlist.owner_id == caller.user_id, collaborates)
    )


def _account_blocked(user_id: ColumnElement[int]) -> ColumnElement[bool]:
    return exists(select(User.id).where(User.id == user_id, User.blocked == true()))


def song_is_visible(caller: Caller | None, song: Song, album: Album | None) -> bool:
    """``visible_songs`` for one loaded song (and its album)."""
    if privileged(caller, song.artist_id):
        return True
    if song.blocked or (album is not None and album.blocked):
        return False
    artist_blocked = object_session(song).scalar(select(User.blocked).where(User.id == song.artist_id))
    return not artist_blocked


def album_is_visible(caller: Caller | None, album: Album) -> bool:
    """``visible_albums`` for one loaded album."""
    if privileged(caller, album.artist_id):
        return True
    if album.blocked:
        return False
    return not object_session(album).scalar(select(User.blocked).where(User.id == album.artist_id))


def effective_plan(song: Song, album: Album | None) -> str:
    levels = [plan_level(song.min_plan)] + ([plan_level(album.min_plan)] if album is not None else [])
    return PLANS[max(levels)]


def can_play(caller: Caller | None, song: Song, album: Album | None) -> bool:
    if privileged(caller, song.artist_id):
        return True
    plan = caller.plan if caller is not None else "free"
    return plan_level(plan) >= plan_level(effective_plan(song, album))


def can_play_album(caller: Caller | None, album: Album) -> bool:
    if privileged(caller, album.artist_id):
        return True
    plan = caller.plan if caller is not None else "free"
    return plan_level(plan) >= plan_level(album.min_plan)
