"""Configuration of every function, read from the environment in one place.

Defaults serve local development (SQLite under ``DATA_DIR``, generated signing keys). With
``ENVIRONMENT=production`` the process refuses to start on an unsafe default: no database URL, no
signing key, a default secret. Each variable is documented in the README's configuration table.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment does not describe a safe, complete configuration."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be > 0, got {value}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def _pem(env: Mapping[str, str], name: str) -> str | None:
    """A PEM value given inline (``NAME``) or as a file path (``NAME_FILE``, e.g. a mounted Secret)."""
    if env.get(name):
        return env[name].replace("\\n", "\n")
    path = env.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE cannot be read: {exc.strerror}") from None
    return None


def _plan_prices(raw: str | None) -> tuple[tuple[str, str], ...]:
    """``PLAN_PRICES=free=0,regular=0.001,silver=0.002,gold=0.003`` (the default), in plan order."""
    if not raw:
        return Settings.plan_prices
    prices = []
    for item in raw.split(","):
        code, _, price = item.strip().partition("=")
        if not code or not price:
            raise ConfigError(f"PLAN_PRICES must look like 'free=0,gold=0.003', got {raw!r}")
        prices.append((code.strip(), price.strip()))
    codes = [code for code, _ in prices]
    if codes != ["free", "regular", "silver", "gold"]:
        raise ConfigError("PLAN_PRICES must price free, regular, silver and gold, in that order")
    return tuple(prices)


@dataclass(frozen=True)
class Upstream:
    """A function the gateway routes to."""

    name: str
    url: str
    connect_timeout: float
    read_timeout: float


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    threads: int = 4
    db_pool_size: int = 4
    log_level: str = "INFO"
    max_body_bytes: int = 1024 * 1024

    jwt_issuer: str = "spotifiuby"
    jwt_private_key: str | None = None
    jwt_public_key: str | None = None
    access_token_ttl: int = 15 * 60
    refresh_token_ttl: int = 30 * 24 * 3600

    admin_email: str | None = None
    admin_password: str | None = None

    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None

    mailer: str = "outbox"
    smtp_url: str | None = None
    mail_from: str = "Spotifiuby <no-reply@spotifiuby.local>"
    public_base_url: str = "http://localhost:8080"
    password_reset_ttl: int = 3600
    login_max_failures: int = 5
    login_failure_window: int = 15 * 60

    storage_backend: str = "local"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    max_audio_bytes: int = 50 * 1024 * 1024
    max_image_bytes: int = 5 * 1024 * 1024
    demo_content: bool = True

    currency: str = "ETH"
    # plan code -> price per period, as decimal strings (the payments function parses them exactly)
    plan_prices: tuple[tuple[str, str], ...] = (
        ("free", "0"),
        ("regular", "0.001"),
        ("silver", "0.002"),
        ("gold", "0.003"),
    )
    plan_period_days: int = 30
    settlement_provider: str = "sandbox"
    internal_token: str | None = None

    upstreams: tuple[Upstream, ...] = ()
    cors_origins: tuple[str, ...] = ()
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 100
    trusted_proxy_hops: int = 0
    metrics_token: str | None = None

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "spotifiuby.db"

    @property
    def media_dir(self) -> Path:
        """Where the local storage backend keeps audio and images."""
        return self.data_dir / "media"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    def upstream(self, name: str) -> Upstream | None:
        return next((u for u in self.upstreams if u.name == name), None)

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        threads = _int(env, "THREADS", 4, minimum=1)
        connect_timeout = _float(env, "UPSTREAM_CONNECT_TIMEOUT", 3.0)
        read_timeout = _float(env, "UPSTREAM_READ_TIMEOUT", 30.0)
        upstreams = tuple(
            Upstream(
                name=name,
                url=env[key].rstrip("/"),
                connect_timeout=_float(env, f"UPSTREAM_{name.upper()}_CONNECT_TIMEOUT", connect_timeout),
                read_timeout=_float(env, f"UPSTREAM_{name.upper()}_READ_TIMEOUT", read_timeout),
            )
            for key in sorted(env)
            if key.startswith("UPSTREAM_") and key.endswith("_URL") and env[key]
            for name in [key[len("UPSTREAM_") : -len("_URL")].lower()]
        )
        settings = cls(
            environment=env.get("ENVIRONMENT", "development"),
            data_dir=Path(env.get("DATA_DIR", "var")),
            database_url=env.get("DATABASE_URL", ""),
            threads=threads,
            db_pool_size=_int(env, "DB_POOL_SIZE", threads, minimum=1),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", 1024 * 1024, minimum=1),
            jwt_issuer=env.get("JWT_ISSUER", "spotifiuby"),
            jwt_private_key=_pem(env, "JWT_PRIVATE_KEY"),
            jwt_public_key=_pem(env, "JWT_PUBLIC_KEY"),
            access_token_ttl=_int(env, "ACCESS_TOKEN_TTL", 15 * 60, minimum=1),
            refresh_token_ttl=_int(env, "REFRESH_TOKEN_TTL", 30 * 24 * 3600, minimum=1),
            admin_email=env.get("ADMIN_EMAIL") or None,
            admin_password=env.get("ADMIN_PASSWORD") or None,
            oidc_issuer=env.get("OIDC_ISSUER") or None,
            oidc_audience=env.get("OIDC_AUDIENCE") or None,
            oidc_jwks_url=env.get("OIDC_JWKS_URL") or None,
            mailer=env.get("MAILER", "outbox"),
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MAIL_FROM", "Spotifiuby <no-reply@spotifiuby.local>"),
            public_base_url=env.get("PUBLIC_BASE_URL", "http://localhost:8080").rstrip("/"),
            password_reset_ttl=_int(env, "PASSWORD_RESET_TTL", 3600, minimum=1),
            login_max_failures=_int(env, "LOGIN_MAX_FAILURES", 5, minimum=1),
            login_failure_window=_int(env, "LOGIN_FAILURE_WINDOW", 15 * 60, minimum=1),
            storage_backend=env.get("STORAGE_BACKEND", "local"),
            s3_bucket=env.get("S3_BUCKET") or None,
            s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
            s3_region=env.get("S3_REGION") or None,
            max_audio_bytes=_int(env, "MAX_AUDIO_BYTES", 50 * 1024 * 1024, minimum=1),
            max_image_bytes=_int(env, "MAX_IMAGE_BYTES", 5 * 1024 * 1024, minimum=1),
            demo_content=env.get("DEMO_CONTENT", "1").lower() not in ("0", "false", "no", "off"),
            currency=env.get("CURRENCY", "ETH"),
            plan_prices=_plan_prices(env.get("PLAN_PRICES")),
            plan_period_days=_int(env, "PLAN_PERIOD_DAYS", 30, minimum=1),
            settlement_provider=env.get("SETTLEMENT_PROVIDER", "sandbox"),
            internal_token=env.get("INTERNAL_TOKEN") or None,
            upstreams=upstreams,
            cors_origins=_list(env, "CORS_ORIGINS"),
            rate_limit_per_minute=_int(env, "RATE_LIMIT_PER_MINUTE", 600, minimum=1),
            rate_limit_burst=_int(env, "RATE_LIMIT_BURST", 100, minimum=1),
            trusted_proxy_hops=_int(env, "TRUSTED_PROXY_HOPS", 0),
            metrics_token=env.get("METRICS_TOKEN") or None,
        )
        if settings.environment not in ("development", "production"):
            raise ConfigError(f"ENVIRONMENT must be development or production, got {settings.environment!r}")
        if settings.mailer not in ("outbox", "smtp"):
            raise ConfigError(f"MAILER must be outbox or smtp, got {settings.mailer!r}")
        if settings.mailer == "smtp" and not settings.smtp_url:
            raise ConfigError("MAILER=smtp needs SMTP_URL")
        if settings.storage_backend not in ("local", "s3"):
            raise ConfigError(f"STORAGE_BACKEND must be local or s3, got {settings.storage_backend!r}")
        if settings.storage_backend == "s3" and not settings.s3_bucket:
            raise ConfigError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        return settings

    def check_production(self, *, needs: tuple[str, ...] = (), database: bool = True) -> None:
        """In production, refuse the unsafe defaults; ``needs`` names settings this function requires
        and ``database`` says whether it uses the database (the gateway does not)."""
        if not self.production:
            return
        problems = []
        if database and not self.database_url.startswith("postgresql"):
            problems.append("DATABASE_URL must point at PostgreSQL")
        if not self.jwt_public_key:
            problems.append("JWT_PUBLIC_KEY (or JWT_PUBLIC_KEY_FILE) is required")
        for name in needs:
            if not getattr(self, name):
                problems.append(f"{name.upper()} is required")
        if self.admin_password and len(self.admin_password) < 12:
            problems.append("ADMIN_PASSWORD must be at least 12 characters")
        if problems:
            raise ConfigError("unsafe production configuration: " + "; ".join(problems))
