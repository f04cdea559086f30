"""Response shapes of the media routes (the song and album shapes are the shared ones of present.py)."""

from marshmallow import fields

from functions.music.present import SongSchema
from spotifiuby.schemas import Schema, page_schema


class HistoryItemSchema(Schema):
    played_at = fields.DateTime(required=True)
    song = fields.Nested(SongSchema, required=True)


HistoryPage = page_schema(HistoryItemSchema)
