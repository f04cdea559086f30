"""Access tokens: short-lived Ed25519-signed JWTs (PyJWT).

The users function signs with the private key; every other function and the gateway verify with
the public key only. Only ``EdDSA`` is accepted, so ``alg: none`` and HMAC-with-the-public-key
forgeries fail. In development, when no key is configured, a key pair is generated once under
``DATA_DIR/keys`` and shared by every local process; production refuses to start without keys.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spotifiuby.config import ConfigError, Settings
from spotifiuby.errors import Unauthorized

ALGORITHM = "EdDSA"
DEV_KEY_FILE = "keys/jwt-ed25519.pem"


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    role: str
    expires_at: dt.datetime


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.jwt_issuer
        self.ttl = settings.access_token_ttl
        private_pem, public_pem = _keys(settings)
        self._private_pem = private_pem
        self._public_pem = public_pem
        self._private_key: Any = None
        self._public_key: Any = None

    @property
    def can_sign(self) -> bool:
        return self._private_pem is not None

    def issue(self, *, user_id: int, role: str, now: dt.datetime | None = None) -> str:
        if self._private_key is None:
            if self._private_pem is None:
                raise ConfigError("this function has no signing key")
            from cryptography.hazmat.primitives.serialization import load_pem_private_key

            self._private_key = load_pem_private_key(self._private_pem.encode(), password=None)
        import jwt  # imported on first use: anonymous requests never pay for it

        now = now or dt.datetime.now(dt.UTC)
        claims = {
            "iss": self.issuer,
            "sub": str(user_id),
            "role": role,
            "typ": "access",
            "iat": now,
            "exp": now + dt.timedelta(seconds=self.ttl),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._private_key, algorithm=ALGORITHM)

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid access token; anything else is 401 ``invalid_token``."""
        if self._public_key is None:
            from cryptography.hazmat.primitives.serialization import load_pem_public_key

            # derived here, not at start-up: cryptography's loaders cost cold-start time
            self._public_pem = self._public_pem or public_pem_of(self._private_pem or "")
            self._public_key = load_pem_public_key(self._public_pem.encode())
        import jwt

        try:
            claims = jwt.decode(
                token,
                self._public_key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss"]},
            )
            if claims.get("typ") != "access":
                raise jwt.InvalidTokenError("not an access token")
            return AccessClaims(
                user_id=int(claims["sub"]),
                role=str(claims.get("role", "")),
                expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.UTC),
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired.", code="token_expired") from None
        except (jwt.InvalidTokenError, ValueError, TypeError):
            raise Unauthorized("The access token is invalid.", code="invalid_token") from None


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, ``None`` without one; malformed is 401."""
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <token>'.", code="invalid_token")
    return token.strip()


def _keys(settings: Settings) -> tuple[str | None, str | None]:
    """(private, public) PEMs as configured; a missing public key is derived when first needed."""
    private_pem, public_pem = settings.jwt_private_key, settings.jwt_public_key
    if private_pem is None and public_pem is None:
        if settings.production:
            raise ConfigError("JWT_PUBLIC_KEY is required in production")
        private_pem = dev_private_key(settings.data_dir)
    return private_pem, public_pem


def public_pem_of(private_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def new_private_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )


def dev_private_key(data_dir: Path) -> str:
    """The development signing key, created once; concurrent first starts agree on one file."""
    path = data_dir / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as tmp:
            tmp.write(new_private_pem())
        os.chmod(tmp.name, 0o600)
        try:
            os.link(tmp.name, path)  # atomic create-if-absent: the first process wins
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp.name)
    return path.read_text()
