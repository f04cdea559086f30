"""Moderation bodies and the content metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import ValidationError, fields, post_load

from functions.music.present import AlbumDetailSchema, ArtistSummarySchema, GenreSchema, SongSchema
from spotifiuby.schemas import Schema, Text

DEFAULT_METRICS_DAYS = 7
MAX_METRICS_DAYS = 366


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: ``1``, ``"yes"`` or ``"true"`` are not booleans in a body."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class ModerationSchema(Schema):
    blocked = StrictBoolean(required=True)
    reason = Text(min_length=1, max_length=500)


class ModeratedSongSchema(SongSchema):
    blocked_reason = fields.String(allow_none=True)


class ModeratedAlbumSchema(AlbumDetailSchema):
    blocked_reason = fields.String(allow_none=True)


class ContentMetricsQuery(Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")

    @post_load
    def _range(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Default to the last 7 UTC days including today; one side alone defaults the other."""
        today = dt.datetime.now(dt.UTC).date()
        end = data.get("end") or (
            data["start"] + dt.timedelta(days=DEFAULT_METRICS_DAYS - 1) if "start" in data else today
        )
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_METRICS_DAYS - 1)
        if start > end:
            raise ValidationError({"from": ["Must not be after 'to'."]})
        if (end - start).days + 1 > MAX_METRICS_DAYS:
            raise ValidationError({"to": [f"The range spans at most {MAX_METRICS_DAYS} days."]})
        return {"start": start, "end": end}


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
