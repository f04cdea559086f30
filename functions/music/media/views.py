"""Routes of the music function's media."""

from spotifiuby.api import Api

api = Api("media")
