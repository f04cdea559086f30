"""Configuration from the environment, and production refusing unsafe defaults."""

from __future__ import annotations

import pytest

from spotifiuby.config import ConfigError, Settings
from spotifiuby.tokens import new_private_pem, public_pem_of

PG = "postgresql+pg8000://app@db:5432/spotifiuby"


def test_development_defaults_use_sqlite_under_the_data_dir():
    settings = Settings.from_env({"DATA_DIR": "/tmp/x"})
    assert settings.effective_database_url == "sqlite:////tmp/x/spotifiuby.db"
    assert settings.threads == 4 and settings.db_pool_size == 4


def test_pool_follows_threads_and_upstreams_are_read():
    settings = Settings.from_env(
        {
            "THREADS": "8",
            "UPSTREAM_USERS_URL": "http://users.default.svc.cluster.local/",
            "UPSTREAM_USERS_READ_TIMEOUT": "5",
        }
    )
    assert settings.db_pool_size == 8
    users = settings.upstream("users")
    assert users.url == "http://users.default.svc.cluster.local"
    assert (users.connect_timeout, users.read_timeout) == (3.0, 5.0)


@pytest.mark.parametrize(
    "env",
    [
        {"THREADS": "many"},
        {"THREADS": "0"},
        {"ENVIRONMENT": "prod"},
        {"MAILER": "smtp"},
        {"UPSTREAM_READ_TIMEOUT": "-1"},
    ],
)
def test_bad_values_are_refused(env):
    with pytest.raises(ConfigError):
        Settings.from_env(env)


def test_production_refuses_missing_keys_and_sqlite():
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        Settings.from_env({"ENVIRONMENT": "production"}).check_production()
    with pytest.raises(ConfigError, match="JWT_PUBLIC_KEY"):
        Settings.from_env({"ENVIRONMENT": "production", "DATABASE_URL": PG}).check_production()
    private = new_private_pem()
    verifier = Settings.from_env(
        {"ENVIRONMENT": "production", "DATABASE_URL": PG, "JWT_PUBLIC_KEY": public_pem_of(private)}
    )
    verifier.check_production()
    with pytest.raises(ConfigError, match="JWT_PRIVATE_KEY"):
        verifier.check_production(needs=("jwt_private_key",))
    with pytest.raises(ConfigError, match="ADMIN_PASSWORD"):
        verifier.replace(admin_password="admin").check_production()


def test_keys_can_come_from_mounted_files(tmp_path):
    private = new_private_pem()
    (tmp_path / "key.pem").write_text(private)
    settings = Settings.from_env({"JWT_PRIVATE_KEY_FILE": str(tmp_path / "key.pem")})
    assert settings.jwt_private_key == private
    with pytest.raises(ConfigError):
        Settings.from_env({"JWT_PRIVATE_KEY_FILE": str(tmp_path / "missing.pem")})


def test_a_function_refuses_to_start_in_production_without_a_signing_key(monkeypatch):
    from functions.users.app import create_app

    settings = Settings.from_env(
        {"ENVIRONMENT": "production", "DATABASE_URL": PG, "JWT_PUBLIC_KEY": public_pem_of(new_private_pem())}
    )
    with pytest.raises(ConfigError, match="JWT_PRIVATE_KEY"):
        create_app(settings)


def test_the_gateway_needs_no_database_in_production():
    private = new_private_pem()
    env = {"ENVIRONMENT": "production", "JWT_PUBLIC_KEY": public_pem_of(private)}
    Settings.from_env(env).check_production(database=False)
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        Settings.from_env(env).check_production(needs=("metrics_token",), database=False)
