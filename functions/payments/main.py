"""functions-framework target of the payments function.

``functions-framework --target payments --source functions/payments/main.py``
"""

from flask import Request, Response

from functions.payments.app import create_app
from spotifiuby.app import dispatch

app = create_app()


def payments(request: Request) -> Response:
    return dispatch(app, request)
