"""Who may create and change catalogue content (who may see it is ``functions.music.access``)."""

from __future__ import annotations

from functions.music.access import privileged
from spotifiuby.auth import Caller
from spotifiuby.errors import Forbidden

CREATORS = ("artist", "admin")


def require_artist(caller: Caller) -> None:
    """Songs and albums are created by artists (and admins, as their own artist)."""
    if caller.role not in CREATORS:
        raise Forbidden("Only artists publish songs and albums.", code="artist_required")


def require_owner(caller: Caller, owner_id: int) -> None:
    """The owner or an admin; the caller already sees the item (else it was a 404)."""
    if not privileged(caller, owner_id):
        raise Forbidden("Only its artist or an admin may change this.", code="not_owner")
