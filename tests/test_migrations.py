"""The Alembic history: upgrade and downgrade on both databases, and agreement with the models."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from migrations import downgrade, upgrade
from spotifiuby.models import metadata
from spotifiuby.models.search import include_object, is_search_object
from tests.conftest import ALL_BACKENDS, _postgres_database

BACKENDS = [b for b in os.environ.get("TEST_BACKENDS", ",".join(ALL_BACKENDS)).split(",") if b]


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    databases = _postgres_database(tmp_path)
    yield next(databases)
    next(databases, None)


def differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            )
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_matches_the_models_and_downgrade_removes_everything(empty_url):
    upgrade(empty_url)
    assert differences(empty_url) == []
    modelled = {name for name in tables(empty_url) if not is_search_object(name, "table")}
    assert modelled == {t.name for t in metadata.sorted_tables} | {"alembic_version"}
    downgrade(empty_url)
    assert tables(empty_url) == {"alembic_version"}
    upgrade(empty_url)  # the cycle can be repeated
    assert differences(empty_url) == []
