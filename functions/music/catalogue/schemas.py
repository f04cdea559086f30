"""Bodies and queries of genres, songs and albums; the answers are in ``functions.music.present``."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates

from spotifiuby.app import MAX_ID
from spotifiuby.models.music import PLANS
from spotifiuby.schemas import PageQuery, Schema, Text, page_schema

GENRE_NAME_LENGTH = 50  # the width of genres.name and genres.name_key
MAX_ALBUM_SONGS = 200


def reference(**kwargs: Any) -> fields.Integer:
    """The id of an existing row in a body: a JSON integer in the id range (``0`` names nothing)."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def id_filter() -> fields.Integer:
    """An id in a query filter; ``0`` is a real filter that matches nothing, never "no filter"."""
    return fields.Integer(validate=validate.Range(min=0, max=MAX_ID))


def plan(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(PLANS), **kwargs)


class GenreBodySchema(Schema):
    name = Text(required=True, min_length=1, max_length=GENRE_NAME_LENGTH)

    @post_load
    def _normalize(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Runs of spaces become one, so "Hip  Hop" and "hip hop" are the same name."""
        name = " ".join(data["name"].split())
        if len(name.casefold()) > GENRE_NAME_LENGTH:  # casefolding can lengthen ("ß" -> "ss")
            raise ValidationError({"name": [f"Longer than {GENRE_NAME_LENGTH} characters."]})
        return {"name": name}


class GenreDetailSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


GenreDetailPage = page_schema(GenreDetailSchema)


class SongQuery(PageQuery):
    q = Text(min_length=1, max_length=100)
    genre_id = id_filter()
    artist_id = id_filter()
    album_id = id_filter()


class SongCreateSchema(Schema):
    title = Text(required=True, min_length=1, max_length=200)
    description = Text(max_length=2000, load_default="")
    genre_id = reference(required=True)
    album_id = reference(allow_none=True, load_default=None)
    min_plan = plan(required=True)


class SongUpdateSchema(Schema):
    """Every field optional; ``null`` is refused except for ``album_id`` (``null`` makes a single)."""

    title = Text(min_length=1, max_length=200)
    description = Text(max_length=2000)
    genre_id = reference()
    album_id = reference(allow_none=True)
    min_plan = plan()


class AlbumQuery(PageQuery):
    q = Text(min_length=1, max_length=100)
    artist_id = id_filter()
    genre_id = id_filter()


class AlbumCreateSchema(Schema):
    title = Text(required=True, min_length=1, max_length=200)
    description = Text(max_length=2000, load_default="")
    genre_id = reference(required=True)
    min_plan = plan(required=True)
    song_ids = fields.List(reference(), load_default=list, validate=validate.Length(max=MAX_ALBUM_SONGS))

    @validates("song_ids")
    def _distinct(self, value: list[int], **_: Any) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("A song appears once in an album.")


class AlbumUpdateSchema(Schema):
    title = Text(min_length=1, max_length=200)
    description = Text(max_length=2000)
    genre_id = reference()
    min_plan = plan()
