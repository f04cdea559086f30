"""functions-framework target of the gateway: ``--target gateway --source functions/gateway/main.py``."""

from flask import Request, Response

from functions.gateway.app import create_app
from spotifiuby.app import dispatch

app = create_app()


def gateway(request: Request) -> Response:
    return dispatch(app, request)
