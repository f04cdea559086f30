"""The query and the answer of ``GET /search``."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from functions.music.present import AlbumSchema, ArtistSummarySchema, SongSchema
from spotifiuby.schemas import Schema, Text

TYPES = ("song", "album", "playlist", "artist")
MAX_SEARCH_LIMIT = 50


class SearchTypes(fields.String):
    """A comma-separated subset of ``TYPES`` (``song,artist``), loaded as a tuple in ``TYPES`` order."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple[str, ...]:
        names = {name.strip() for name in super()._deserialize(value, attr, data, **kwargs).split(",")}
        names.discard("")
        unknown = sorted(names - set(TYPES))
        if unknown:
            raise ValidationError(f"Unknown type {', '.join(unknown)}; use some of {', '.join(TYPES)}.")
        if not names:
            raise ValidationError(f"Name at least one of {', '.join(TYPES)}.")
        return tuple(name for name in TYPES if name in names)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return ",".join(value) if isinstance(value, tuple) else super()._serialize(value, attr, obj, **kwargs)


class SearchQuery(Schema):
    q = Text(required=True, min_length=1, max_length=100)
    types = SearchTypes(
        data_key="type",
        load_default=TYPES,
        metadata={"description": "comma-separated: song, album, playlist, artist (default all)"},
    )
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_SEARCH_LIMIT))


class OwnerSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PlaylistHitSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    owner = fields.Nested(OwnerSchema, required=True)
    public = fields.Boolean(required=True)


class SearchResultSchema(Schema):
    """One list per requested type, best match first; types not requested are left out."""

    songs = fields.List(fields.Nested(SongSchema))
    albums = fields.List(fields.Nested(AlbumSchema))
    playlists = fields.List(fields.Nested(PlaylistHitSchema))
    artists = fields.List(fields.Nested(ArtistSummarySchema))
