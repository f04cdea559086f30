"""Engine, sessions and the few SQL helpers that must behave the same on SQLite and PostgreSQL.

SQLite (the embedded default) runs in WAL mode with foreign keys on, and every transaction starts
with ``BEGIN IMMEDIATE`` so that concurrent writers queue on the busy timeout instead of failing
on a stale snapshot. PostgreSQL is reached through pg8000; the pool holds one connection per
request thread (``DB_POOL_SIZE``, default ``THREADS``) and never overflows, so the connection budget
of a deployment is max-scale x pool size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Date, TypeDecorator

from spotifiuby.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class utc_day(FunctionElement[dt.date]):
    """The UTC calendar day of a timestamp column, for per-day metrics grouped in SQL."""

    type = Date()
    inherit_cache = True


@compiles(utc_day, "postgresql")
def _utc_day_pg(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


def as_date(value: dt.date | str) -> dt.date:
    """``utc_day`` comes back as a date on PostgreSQL and as ``YYYY-MM-DD`` text on SQLite."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def upsert_insert(session: Session, table: Any) -> Any:
    """The INSERT of the session's database that knows ``ON CONFLICT`` (PostgreSQL and SQLite both
    do, with the same API): the way to let a unique constraint decide a race."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def insert_ignore(session: Session, table: Any, rows: Mapping[str, Any] | list[Mapping[str, Any]]) -> int:
    """INSERT that silently skips rows violating a unique constraint; returns the rows inserted.

    This is how idempotent PUTs (follow, like, favourite) stay race-free: the constraint decides.
    """
    result = session.execute(upsert_insert(session, table).values(rows).on_conflict_do_nothing())
    return result.rowcount


def count(session: Session, stmt: Any) -> int:
    """The number of rows a select would return (ignoring its ordering)."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def paginate(session: Session, stmt: Any, *, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of ``stmt`` (ordered deterministically by the caller) and the total: two queries
    whatever the page size."""
    return list(session.scalars(stmt.limit(limit).offset(offset))), count(session, stmt)


def is_foreign_key_violation(exc: Exception) -> bool:
    """True when a database error comes from a foreign key (pg8000 raises SQLSTATE 23503 as
    ProgrammingError, not IntegrityError, so callers catch DBAPIError and ask this)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "foreign key" in text or "23503" in text


def make_engine(settings: Settings) -> Engine:
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=0,
            hide_parameters=True,
            connect_args={"timeout": 30, "check_same_thread": False, "isolation_level": None},
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=10,
        pool_pre_ping=True,
        hide_parameters=True,  # parameters (hashes, tokens) never reach logs or error messages
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class Database:
    """One engine and session factory per function process."""

    def __init__(self, settings: Settings) -> None:
        self.engine = make_engine(settings)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for work outside a request (CLI, scripts); commits on success."""
        with self.sessions() as session, session.begin():
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()


def is_unique_violation(exc: Exception) -> bool:
    """True when an IntegrityError comes from a unique or primary-key constraint."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "unique" in text or "duplicate key" in text or "23505" in text


__all__ = [
    "Base",
    "Database",
    "UTCDateTime",
    "as_date",
    "count",
    "insert_ignore",
    "is_foreign_key_violation",
    "is_unique_violation",
    "make_engine",
    "paginate",
    "upsert_insert",
    "utc_day",
    "utcnow",
]
