"""Routes of the payments function: subscriptions."""

from spotifiuby.api import Api

api = Api("subscriptions")
