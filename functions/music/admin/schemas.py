"""Moderation bodies and the content metrics."""

from __future__ import annotations

from marshmallow import fields

from functions.music.present import AlbumDetailSchema, ArtistSummarySchema, GenreSchema, SongSchema
from spotifiuby.schemas import Schema, StrictBoolean, Text


class ModerationSchema(Schema):
    blocked = StrictBoolean(required=True)
    reason = Text(min_length=1, max_length=500)


class ModeratedSongSchema(SongSchema):
    blocked_reason = fields.String(allow_none=True)


class ModeratedAlbumSchema(AlbumDetailSchema):
    blocked_reason = fields.String(allow_none=True)


class ContentDaySchema(Schema):
    date = fields.Date(required=True)
    new_songs = fields.Integer(required=True)
    new_albums = fields.Integer(required=True)
    plays = fields.Integer(required=True)


class GenreCountsSchema(Schema):
    genre = fields.Nested(GenreSchema, required=True)
    songs = fields.Integer(required=True)
    albums = fields.Integer(required=True)


class PlanCountsSchema(Schema):
    plan = fields.String(required=True)
    songs = fields.Integer(required=True)
    albums = fields.Integer(required=True)


class MostPlayedSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    artist = fields.Nested(ArtistSummarySchema, required=True)
    plays = fields.Integer(required=True)


class ContentMetricsSchema(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    days = fields.List(fields.Nested(ContentDaySchema), required=True)
    by_genre = fields.List(fields.Nested(GenreCountsSchema), required=True)
    by_plan = fields.List(fields.Nested(PlanCountsSchema), required=True)
    most_played = fields.List(fields.Nested(MostPlayedSchema), required=True)
