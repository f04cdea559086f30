"""Admin moderation of accounts and the user metrics."""

from spotifiuby.api import Api

api = Api("admin")
