"""Playlists, their tracks and their collaborators."""

from typing import Any

from sqlalchemy.orm import Session

from functions.music.playlists import service, tracks
from functions.music.playlists.schemas import (
    PlaylistCreateSchema,
    PlaylistDetailSchema,
    PlaylistPage,
    PlaylistQuery,
    PlaylistUpdateSchema,
    TrackAddSchema,
    TrackOrderSchema,
)
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.schemas import page

api = Api("playlists")


@api.get("/playlists", query=PlaylistQuery, response=PlaylistPage, auth="optional")
def list_playlists(*, query: dict[str, Any], caller: Caller | None, session: Session) -> dict[str, Any]:
    """Public playlists, and the private ones the caller owns or collaborates on, newest first."""
    items, total = service.list_playlists(session, caller=caller, **query)
    return page(items, total, query)


@api.get("/playlists/<int:playlist_id>", response=PlaylistDetailSchema, auth="optional")
def get_playlist(*, playlist_id: int, caller: Caller | None, session: Session) -> dict[str, Any]:
    """A playlist with its tracks in order and its collaborators."""
    playlist = service.get_or_404(session, playlist_id=playlist_id, caller=caller)
    return service.present_detail(session, playlist, caller)


@api.post("/playlists", body=PlaylistCreateSchema, response=PlaylistDetailSchema, status=201)
def create_playlist(*, body: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """Create a playlist owned by the caller."""
    playlist = service.create(session, caller=caller, fields=body)
    return service.present_detail(session, playlist, caller)


@api.patch("/playlists/<int:playlist_id>", body=PlaylistUpdateSchema, response=PlaylistDetailSchema)
def update_playlist(
    *, playlist_id: int, body: dict[str, Any], caller: Caller, session: Session
) -> dict[str, Any]:
    """Change title, description, public or collaborative (owner only; partial update)."""
    playlist = service.update(session, playlist_id=playlist_id, caller=caller, changes=body)
    return service.present_detail(session, playlist, caller)


@api.delete("/playlists/<int:playlist_id>", status=204)
def delete_playlist(*, playlist_id: int, caller: Caller, session: Session) -> None:
    """Delete a playlist with its tracks, collaborators and favourites (owner or admin)."""
    service.delete_playlist(session, playlist_id=playlist_id, caller=caller)


@api.post(
    "/playlists/<int:playlist_id>/tracks", body=TrackAddSchema, response=PlaylistDetailSchema, status=201
)
def add_track(*, playlist_id: int, body: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """Add a song at a position (default the end); the owner, or a collaborator if collaborative."""
    playlist = tracks.add(session, playlist_id=playlist_id, caller=caller, **body)
    return service.present_detail(session, playlist, caller)


@api.put("/playlists/<int:playlist_id>/tracks", body=TrackOrderSchema, response=PlaylistDetailSchema)
def reorder_tracks(
    *, playlist_id: int, body: dict[str, Any], caller: Caller, session: Session
) -> dict[str, Any]:
    """Reorder the tracks: song_ids lists every track exactly once, in the new order."""
    playlist = tracks.reorder(session, playlist_id=playlist_id, caller=caller, song_ids=body["song_ids"])
    return service.present_detail(session, playlist, caller)


@api.delete("/playlists/<int:playlist_id>/tracks/<int:song_id>", status=204)
def remove_track(*, playlist_id: int, song_id: int, caller: Caller, session: Session) -> None:
    """Remove a song from the playlist; later tracks move up."""
    tracks.remove(session, playlist_id=playlist_id, caller=caller, song_id=song_id)


@api.put("/playlists/<int:playlist_id>/collaborators/<int:user_id>", status=204)
def add_collaborator(*, playlist_id: int, user_id: int, caller: Caller, session: Session) -> None:
    """Make a user a collaborator (owner only; idempotent)."""
    service.add_collaborator(session, playlist_id=playlist_id, user_id=user_id, caller=caller)


@api.delete("/playlists/<int:playlist_id>/collaborators/<int:user_id>", status=204)
def remove_collaborator(*, playlist_id: int, user_id: int, caller: Caller, session: Session) -> None:
    """Remove a collaborator (the owner, or the collaborator leaving; idempotent)."""
    service.remove_collaborator(session, playlist_id=playlist_id, user_id=user_id, caller=caller)
