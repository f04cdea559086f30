"""``python -m functions.users.cli create-admin``, run as ops would: a process with the environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from sqlalchemy import select

from functions.users.auth.passwords import verify_password, weakness
from spotifiuby.models import User
from tests.conftest import ROOT
from tests.factories import PASSWORD, create_user


def run_cli(backend, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The command on ``backend``'s database (``None``: the environment given says where)."""
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("ADMIN_", "DATABASE_URL", "DATA_DIR"))
    }
    if backend is not None:
        inherited.update(DATABASE_URL=backend.url, DATA_DIR=str(backend.data_dir))
    return subprocess.run(
        [sys.executable, "-m", "functions.users.cli", "create-admin", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def users(db) -> list[User]:
    with db.session() as session:
        return list(session.scalars(select(User).order_by(User.id)))


def test_creates_the_admin_from_the_flags(backend, db):
    result = run_cli(backend, "--email", "Root@Example.com", "--password", "Str0ng-pass")
    assert result.returncode == 0, result.stderr
    [admin] = users(db)
    assert result.stdout.strip() == f"Created admin root@example.com (id {admin.id})."
    assert (admin.email, admin.role, admin.blocked) == ("root@example.com", "admin", False)
    assert verify_password(admin.password_hash, "Str0ng-pass")
    assert "Str0ng-pass" not in result.stdout + result.stderr


def test_falls_back_to_the_environment_and_generates_a_strong_password(backend, db):
    result = run_cli(backend, ADMIN_EMAIL="ops@example.com")
    assert result.returncode == 0, result.stderr
    match = re.search(r"Generated password \(shown once, keep it\): (\S+)$", result.stdout, re.MULTILINE)
    assert match, result.stdout
    password = match.group(1)
    assert len(password) >= 20 and weakness(password) is None
    [admin] = users(db)
    assert (admin.email, admin.role) == ("ops@example.com", "admin")
    assert verify_password(admin.password_hash, password)


def test_takes_the_password_from_the_environment(backend, db):
    result = run_cli(backend, ADMIN_EMAIL="ops@example.com", ADMIN_PASSWORD="Env-passw0rd")
    assert result.returncode == 0, result.stderr
    assert "Generated" not in result.stdout
    [admin] = users(db)
    assert verify_password(admin.password_hash, "Env-passw0rd")


def test_does_nothing_once_an_admin_exists(backend, db):
    existing = create_user(db, role="admin", email="first@example.com")
    result = run_cli(backend, "--email", "second@example.com", "--password", "Str0ng-pass")
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip()
        == f"An admin already exists: first@example.com (id {existing.id}); nothing changed."
    )
    assert [u.email for u in users(db)] == ["first@example.com"]


def test_promotes_an_existing_account_without_touching_its_password(backend, db):
    user = create_user(db, email="boss@example.com")
    result = run_cli(backend, "--email", "boss@example.com")
    assert result.returncode == 0, result.stderr
    assert "Promoted the existing account boss@example.com" in result.stdout
    assert "Generated" not in result.stdout
    [admin] = users(db)
    assert (admin.id, admin.role) == (user.id, "admin")
    assert verify_password(admin.password_hash, PASSWORD)


def test_refuses_a_missing_email_or_a_weak_password(backend, db):
    missing = run_cli(backend)
    assert missing.returncode == 2
    assert "ADMIN_EMAIL" in missing.stderr
    invalid = run_cli(backend, "--email", "not-an-email")
    assert invalid.returncode == 2
    weak = run_cli(backend, "--email", "root@example.com", "--password", "short1")
    assert weak.returncode == 2
    assert "too weak" in weak.stderr and "short1" not in weak.stderr
    assert users(db) == []


def test_reports_a_database_it_cannot_use_without_a_traceback(tmp_path):
    result = run_cli(
        None,
        "--email",
        "root@example.com",
        DATABASE_URL=f"sqlite:///{tmp_path}/not-migrated.db",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 1
    assert "database error" in result.stderr and "Traceback" not in result.stderr
