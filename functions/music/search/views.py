"""Routes of the music function's search."""

from spotifiuby.api import Api

api = Api("search")
