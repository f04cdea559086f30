"""The music function: genres, songs, albums, audio and covers, playlists, favourites, search,
play history and content metrics."""

from flask import Flask

from spotifiuby.app import create_function_app
from spotifiuby.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from functions.music.admin.views import api as admin_api
    from functions.music.catalogue.views import api as catalogue_api
    from functions.music.favorites.views import api as favorites_api
    from functions.music.media.views import api as media_api
    from functions.music.playlists.views import api as playlists_api
    from functions.music.search.views import api as search_api

    apis = [catalogue_api, media_api, playlists_api, favorites_api, search_api, admin_api]
    return create_function_app("music", apis, settings)
