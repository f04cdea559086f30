"""Request and response bodies of the authentication routes."""

from marshmallow import ValidationError, fields, validate, validates

from functions.users.auth.passwords import MAX_LENGTH, weakness
from functions.users.profiles.schemas import PrivateUserSchema
from spotifiuby.schemas import Schema, Text

Email = fields.Email(required=True, validate=validate.Length(max=254))


class NewPasswordMixin:
    @validates("password")
    def _strong(self, value: str, **_: object) -> None:
        problem = weakness(value)
        if problem:
            raise ValidationError(problem)


class SignupSchema(NewPasswordMixin, Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=MAX_LENGTH))
    name = Text(required=True, min_length=1, max_length=100)
    role = fields.String(load_default="listener", validate=validate.OneOf(["listener", "artist"]))


class LoginSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


class RefreshTokenSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class FederatedSchema(Schema):
    id_token = fields.String(required=True, validate=validate.Length(min=1, max=8192))


class ResetRequestSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class ResetConfirmSchema(NewPasswordMixin, Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, validate=validate.Length(max=MAX_LENGTH))


class SessionSchema(Schema):
    user = fields.Nested(PrivateUserSchema, required=True)
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)
