"""functions-framework target of the feedback function.

``functions-framework --target feedback --source functions/feedback/main.py``
"""

from flask import Request, Response

from functions.feedback.app import create_app
from spotifiuby.app import dispatch

app = create_app()


def feedback(request: Request) -> Response:
    return dispatch(app, request)
