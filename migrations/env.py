"""Alembic environment: migrates the database the functions use (see spotifiuby.config)."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from spotifiuby.config import Settings
from spotifiuby.models import metadata
from spotifiuby.models.search import include_object

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """An explicit URL (tests, the runner) or the one the functions would use."""
    return config.attributes.get("url") or Settings.from_env().effective_database_url


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = database_url()
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        # batch mode lets ALTER work on SQLite (it recreates the table)
        # full-text search objects live outside the models (see spotifiuby.models.search)
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
