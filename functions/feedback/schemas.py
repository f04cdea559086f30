"""Bodies and answers of the feedback function."""

from __future__ import annotations

from marshmallow import fields, validate

from spotifiuby.app import MAX_ID
from spotifiuby.schemas import Schema, Text, page_schema

REVIEW_MAX = 5000
COMMENT_MAX = 2000


class RatingBody(Schema):
    value = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))


class RatingSchema(Schema):
    value = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class RatingSummarySchema(Schema):
    count = fields.Integer(required=True)
    average = fields.Float(required=True, allow_none=True)
    histogram = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class AuthorSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ReviewBody(Schema):
    text = Text(required=True, min_length=1, max_length=REVIEW_MAX)


class ReviewSchema(Schema):
    id = fields.Integer(required=True)
    user = fields.Nested(AuthorSchema, required=True)
    text = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class CommentBody(Schema):
    text = Text(required=True, min_length=1, max_length=COMMENT_MAX)
    parent_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))


class CommentEditBody(Schema):
    text = Text(required=True, min_length=1, max_length=COMMENT_MAX)


class CommentSchema(Schema):
    id = fields.Integer(required=True)
    user = fields.Nested(AuthorSchema, required=True)
    text = fields.String(required=True)
    song_id = fields.Integer(allow_none=True)
    album_id = fields.Integer(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class CommentThreadSchema(CommentSchema):
    replies = fields.List(fields.Nested(CommentSchema), required=True)


class FeedbackDaySchema(Schema):
    date = fields.Date(required=True)
    ratings = fields.Integer(required=True)
    reviews = fields.Integer(required=True)
    comments = fields.Integer(required=True)


class FeedbackMetricsSchema(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    days = fields.List(fields.Nested(FeedbackDaySchema), required=True)


ReviewPage = page_schema(ReviewSchema)
CommentThreadPage = page_schema(CommentThreadSchema)
