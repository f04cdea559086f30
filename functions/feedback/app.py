"""The feedback function: ratings, reviews and comments on songs and albums, and their metrics."""

from flask import Flask

from spotifiuby.app import create_function_app
from spotifiuby.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from functions.feedback.views import api

    return create_function_app("feedback", [api], settings)
