"""Routes of the music function's catalogue."""

from spotifiuby.api import Api

api = Api("catalogue")
