"""Routes of the payments function: wallet."""

from spotifiuby.api import Api

api = Api("wallet")
