"""Routes of the music function's search."""

from typing import Any

from sqlalchemy.orm import Session

from functions.music.search import service
from functions.music.search.schemas import SearchQuery, SearchResultSchema
from spotifiuby.api import Api
from spotifiuby.auth import Caller

api = Api("search")


@api.get("/search", query=SearchQuery, response=SearchResultSchema, auth="optional")
def search(*, query: dict[str, Any], caller: Caller | None, session: Session) -> dict[str, Any]:
    """Songs, albums, playlists and artists matching ``q``, best match first."""
    return service.search(session, caller=caller, **query)
