"""Password hashing (argon2id, OWASP parameters) and the strength rule for new passwords."""

from __future__ import annotations

from functools import cache
from typing import Any

MIN_LENGTH = 8
MAX_LENGTH = 128
# the most common passwords that would otherwise pass the letter-and-digit rule
COMMON = frozenset(
    {
        "password1",
        "passw0rd",
        "qwerty123",
        "abc12345",
        "letmein1",
        "welcome1",
        "iloveyou1",
        "12345678a",
        "a12345678",
        "password123",
        "admin123",
        "qwerty1234",
    }
)


def weakness(password: str) -> str | None:
    """Why ``password`` is too weak, or ``None`` when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Password must have at least {MIN_LENGTH} characters."
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "Password must contain letters and digits."
    if password.lower() in COMMON or len(set(password)) < 4:
        return "Password is too common."
    return None


@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher

    # OWASP's argon2id recommendation (19 MiB, 2 passes): ~20 ms here and a small memory peak,
    # so a few concurrent logins do not blow the function's memory.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a missing hash still costs one verify)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not-a-real-password-0")
