"""functions-framework target of the status function.

``functions-framework --target status --source functions/status/main.py``
"""

from flask import Request, Response

from functions.status.app import create_app
from spotifiuby.app import dispatch

app = create_app()


def status(request: Request) -> Response:
    return dispatch(app, request)
