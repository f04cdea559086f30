"""Test fixtures shared by every function's tests.

Every test that touches the database runs twice, on SQLite and on PostgreSQL (a fresh database
created for the run and dropped after it); ``@pytest.mark.postgres_only`` tests run on PostgreSQL
alone. ``TEST_BACKENDS=sqlite`` (or ``postgres``) narrows a local run; it is never set in CI. When
PostgreSQL cannot be reached the run fails: it is never skipped. Each test starts on empty tables.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from spotifiuby.config import Settings
from spotifiuby.db import Database
from spotifiuby.models import metadata
from spotifiuby.tokens import new_private_pem

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgresql+pg8000://postgres@localhost:5432/test"
ALL_BACKENDS = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    wanted = [b for b in os.environ.get("TEST_BACKENDS", ",".join(ALL_BACKENDS)).split(",") if b]
    if metafunc.definition.get_closest_marker("postgres_only"):
        wanted = ["postgres"]
    metafunc.parametrize("backend", wanted, indirect=True, scope="session")


@dataclass(frozen=True)
class Backend:
    name: str
    url: str
    data_dir: Path
    database: Database

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgres"


@pytest.fixture(scope="session")
def jwt_private_key() -> str:
    return new_private_pem()


def _postgres_database(tmp_root: Path) -> Iterator[str]:
    """A new, empty PostgreSQL database for this run; dropped afterwards."""
    import pg8000.native
    from sqlalchemy.engine import make_url

    server = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
    name = f"spotifiuby_test_{secrets.token_hex(4)}"
    try:
        admin = pg8000.native.Connection(
            user=server.username or "postgres",
            host=server.host or "localhost",
            port=server.port or 5432,
            database=server.database or "postgres",
            password=server.password,
        )
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL is required for the tests and cannot be reached at {server!r}: {exc}", pytrace=False
        )
    admin.run(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        admin.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name", name=name)
        admin.run(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    from migrations import upgrade

    data_dir = tmp_path_factory.mktemp(f"data-{request.param}")
    if request.param == "postgres":
        databases = _postgres_database(data_dir)
        url = next(databases)
    else:
        databases = None
        url = f"sqlite:///{data_dir / 'spotifiuby.db'}"
    upgrade(url)
    database = Database(Settings(data_dir=data_dir, database_url=url, db_pool_size=30))
    yield Backend(request.param, url, data_dir, database)
    database.dispose()
    if databases is not None:
        next(databases, None)


def _tables() -> list[str]:
    return [table.name for table in reversed(metadata.sorted_tables)]


@pytest.fixture
def db(backend: Backend) -> Iterator[Database]:
    """The test's database, emptied before the test runs."""
    with backend.database.engine.begin() as conn:
        if backend.is_postgres:
            conn.execute(text(f"TRUNCATE {', '.join(_tables())} RESTART IDENTITY CASCADE"))
        else:
            for table in _tables():
                conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text("DELETE FROM sqlite_sequence"))
    yield backend.database


@pytest.fixture
def function_env(backend: Backend, jwt_private_key: str) -> dict[str, str]:
    """The environment a function process of this test run gets."""
    return {
        "ENVIRONMENT": "development",
        "DATA_DIR": str(backend.data_dir),
        "DATABASE_URL": backend.url,
        "JWT_PRIVATE_KEY": jwt_private_key,
        "THREADS": "8",
        "LOG_LEVEL": "WARNING",
    }


_APPS: dict[tuple, Any] = {}


@pytest.fixture
def make_client(
    db: Database, function_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    """``make_client("users", LOGIN_MAX_FAILURES="3")``: a test client of the function's real
    functions-framework app, built from its ``main.py`` with this run's environment."""
    import functions_framework

    def make(name: str, **env: str) -> Any:
        full_env = {**function_env, **env}
        key = (name, tuple(sorted(full_env.items())))
        if key not in _APPS:
            for var, value in full_env.items():
                monkeypatch.setenv(var, value)
            _APPS[key] = functions_framework.create_app(name, str(ROOT / "functions" / name / "main.py"))
            inner = sys.modules["main"].app  # our app, built by main.py at import
            _APPS[key].spotifiuby_app = inner
        return _APPS[key].test_client()

    return make


@pytest.fixture
def settings(backend: Backend, jwt_private_key: str) -> Settings:
    return Settings(data_dir=backend.data_dir, database_url=backend.url, jwt_private_key=jwt_private_key)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for app in _APPS.values():
        inner = getattr(app, "spotifiuby_app", None)
        if inner is not None and inner.extensions["spotifiuby"].database is not None:
            inner.extensions["spotifiuby"].database.dispose()
