"""Routes of the music function's admin."""

from spotifiuby.api import Api

api = Api("admin")
