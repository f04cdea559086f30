"""Playlist bodies and answers: the list item, the playlist with its tracks, and the track edits."""

from marshmallow import fields, validate

from functions.music.present import SongSchema
from spotifiuby.app import MAX_ID
from spotifiuby.schemas import PageQuery, Schema, StrictBoolean, Text, page_schema

# a playlist answers with all its tracks (no pagination inside it), so it has a size limit
MAX_TRACKS = 1000
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class PlaylistQuery(PageQuery):
    # 0 is a real filter (no account has it): it answers an empty page, never "no filter"
    owner_id = fields.Integer(validate=validate.Range(min=0, max=MAX_ID))
    q = Text(min_length=1, max_length=100)


class PlaylistCreateSchema(Schema):
    title = Text(min_length=1, max_length=200, required=True)
    description = Text(max_length=2000, load_default="")
    public = StrictBoolean(load_default=True)
    collaborative = StrictBoolean(load_default=False)


class PlaylistUpdateSchema(Schema):
    """Partial update: an absent field keeps its value, ``null`` is 422 for every field."""

    title = Text(min_length=1, max_length=200)
    description = Text(max_length=2000)
    public = StrictBoolean()
    collaborative = StrictBoolean()


class TrackAddSchema(Schema):
    song_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    # 0-based; absent means the end, and anything past the end is the end
    position = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_ID))


class TrackOrderSchema(Schema):
    song_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        required=True,
        validate=validate.Length(max=MAX_TRACKS),
    )


class UserSummarySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PlaylistSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    public = fields.Boolean(required=True)
    collaborative = fields.Boolean(required=True)
    owner = fields.Nested(UserSummarySchema, required=True)
    track_count = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class TrackSchema(Schema):
    position = fields.Integer(required=True)
    added_at = fields.DateTime(required=True)
    song = fields.Nested(SongSchema, required=True)


class PlaylistDetailSchema(PlaylistSchema):
    tracks = fields.List(fields.Nested(TrackSchema), required=True)
    collaborators = fields.List(fields.Nested(UserSummarySchema), required=True)


PlaylistPage = page_schema(PlaylistSchema)
