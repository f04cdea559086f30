"""search: full-text objects for songs, albums and playlists

PostgreSQL: a generated ``search_vector`` tsvector column (title weighted A, description B) with a
GIN index ``ix_<table>_search`` on each table. SQLite: an FTS5 external-content table
``<table>_fts(title, description)`` kept in step by three triggers (insert, delete, update of title
or description). None of this is in the SQLAlchemy models; ``migrations/env.py`` leaves these
objects out of autogenerate comparisons (``spotifiuby.models.search``).

SQLite note: a later batch migration that recreates one of these tables (``batch_alter_table`` in
"recreate" mode) drops its triggers with the old table; such a migration must run
``create_sqlite_triggers``' statements again for that table (copy them, do not import them).

Revision ID: 77810f34f374
Revises: 67aab03222a8
Create Date: 2026-12-04 20:44:48.477282
"""

from alembic import op

revision = '77810f34f374'
down_revision = '67aab03222a8'
branch_labels = None
depends_on = None

TABLES = ("songs", "albums", "playlists")

VECTOR = (
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(description, '')), 'B')"
)


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    for table in TABLES:
        if dialect == "postgresql":
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED")
            op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_vector)")
        elif dialect == "sqlite":
            # diacritics are kept, as PostgreSQL's 'simple' configuration keeps them: both databases
            # then match the same words
            op.execute(
                f"CREATE VIRTUAL TABLE {table}_fts USING fts5(title, description, content='{table}', "
                "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
            )
            create_sqlite_triggers(table)
            op.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")  # rows already there


def create_sqlite_triggers(table: str) -> None:
    fts = f"{table}_fts"
    add = f"INSERT INTO {fts}(rowid, title, description) VALUES (new.id, new.title, new.description);"
    # an external-content FTS5 table forgets a row by being told the values it indexed
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, title, description) "
        "VALUES ('delete', old.id, old.title, old.description);"
    )
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END")
    # only these two columns: play counts and other updates do not touch the index
    op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF title, description ON {table} BEGIN {remove} {add} END")


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    for table in TABLES:
        if dialect == "postgresql":
            op.execute(f"DROP INDEX ix_{table}_search")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        elif dialect == "sqlite":
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_fts_{event}")
            op.execute(f"DROP TABLE {table}_fts")
