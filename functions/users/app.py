"""The users function: accounts, tokens, profiles, follows, liked genres, moderation, user metrics."""

from flask import Flask

from spotifiuby.app import create_function_app
from spotifiuby.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from functions.users.admin.views import api as admin_api
    from functions.users.auth.views import api as auth_api
    from functions.users.profiles.views import api as profiles_api

    return create_function_app(
        "users", [auth_api, profiles_api, admin_api], settings, needs=("jwt_private_key",)
    )
