"""Profile bodies: the private view (``/me``) and the public one (``/users/...``)."""

from marshmallow import fields, validate

from spotifiuby.schemas import PageQuery, Schema, Text, page_schema

# what Expo's getExpoPushTokenAsync hands out, in its current and its legacy spelling
EXPO_PUSH_TOKEN = r"^(?:ExponentPushToken|ExpoPushToken)\[[A-Za-z0-9_-]+\]$"


class PublicUserSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    bio = fields.String(required=True)
    photo_url = fields.String(allow_none=True)
    role = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class UserProfileSchema(PublicUserSchema):
    followers_count = fields.Integer(required=True)
    following_count = fields.Integer(required=True)


class PrivateUserSchema(PublicUserSchema):
    email = fields.String(required=True)
    blocked = fields.Boolean(required=True)
    # subscriptions belong to the payments function; until it exists every account is on free
    plan = fields.Constant("free")
    plan_expires_at = fields.Constant(None)
    updated_at = fields.DateTime(required=True)


class ProfileUpdateSchema(Schema):
    name = Text(min_length=1, max_length=100)
    bio = Text(max_length=1000)
    photo_url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2048))
    role = fields.String(validate=validate.OneOf(["listener", "artist"]))


class UserSearchQuery(PageQuery):
    q = Text(min_length=1, max_length=100)
    role = fields.String(validate=validate.OneOf(["listener", "artist", "admin"]))


class PushTokenSchema(Schema):
    token = fields.String(
        required=True,
        validate=[
            validate.Length(max=255),
            validate.Regexp(EXPO_PUSH_TOKEN, error="Not an Expo push token."),
        ],
    )


class LikedGenreSchema(Schema):
    genre_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)


PublicUserPage = page_schema(PublicUserSchema)
PrivateUserPage = page_schema(PrivateUserSchema)
LikedGenrePage = page_schema(LikedGenreSchema)
