"""Routes of the music function's favorites."""

from spotifiuby.api import Api

api = Api("favorites")
