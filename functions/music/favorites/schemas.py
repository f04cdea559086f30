"""Favourite answers (the lists reuse the song, album and playlist pages)."""

from marshmallow import fields

from spotifiuby.schemas import Schema


class FavoriteStatusSchema(Schema):
    favorite = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
