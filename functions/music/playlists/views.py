"""Routes of the music function's playlists."""

from spotifiuby.api import Api

api = Api("playlists")
