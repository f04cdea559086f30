"""The caller's favourite songs, albums and playlists: the same four routes for each kind."""

from typing import Any

from sqlalchemy.orm import Session

from functions.music.favorites import service
from functions.music.favorites.schemas import FavoriteStatusSchema
from functions.music.favorites.service import KINDS, Kind
from spotifiuby.api import Api
from spotifiuby.auth import Caller
from spotifiuby.schemas import PageQuery, page

api = Api("favorites")


def _routes(kind: Kind) -> None:
    collection = f"/me/favorites/{kind.name}"
    item = f"{collection}/<int:{kind.noun}_id>"

    @api.get(collection, query=PageQuery, response=kind.page, summary=f"Favourite {kind.name}, newest first.")
    def list_favorites(*, query: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
        items, total = service.list_favorites(session, kind=kind, caller=caller, **query)
        return page(items, total, query)

    @api.get(
        item,
        response=FavoriteStatusSchema,
        summary=f"Whether it is among the favourite {kind.name} (404 if not).",
    )
    def get_favorite(*, caller: Caller, session: Session, **target: int) -> dict[str, Any]:
        (target_id,) = target.values()
        return service.get_or_404(session, kind=kind, caller=caller, target_id=target_id)

    @api.put(item, status=204, summary=f"Add to the favourite {kind.name} (idempotent).")
    def add_favorite(*, caller: Caller, session: Session, **target: int) -> None:
        (target_id,) = target.values()
        service.create(session, kind=kind, caller=caller, target_id=target_id)

    @api.delete(item, status=204, summary=f"Remove from the favourite {kind.name} (idempotent).")
    def remove_favorite(*, caller: Caller, session: Session, **target: int) -> None:
        (target_id,) = target.values()
        service.delete_favorite(session, kind=kind, caller=caller, target_id=target_id)


for _kind in KINDS:
    _routes(_kind)
