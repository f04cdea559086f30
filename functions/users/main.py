"""functions-framework target of the users function: ``--target users --source functions/users/main.py``."""

from flask import Request, Response

from functions.users.app import create_app
from spotifiuby.app import dispatch

app = create_app()


def users(request: Request) -> Response:
    return dispatch(app, request)
