"""The floor of the cold-start benchmark: a functions-framework function that does nothing."""

from flask import Request


def hello(request: Request) -> str:
    return "ok"
