"""functions-framework target of the music function: ``--target music --source functions/music/main.py``."""

from flask import Request, Response

from functions.music.app import create_app
from spotifiuby.app import dispatch

app = create_app()


def music(request: Request) -> Response:
    return dispatch(app, request)
