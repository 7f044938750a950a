"""Password rules and argon2id hashing (argon2-cffi)."""
from __future__ import annotations

import secrets

from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from charte.exceptions import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128

# argon2id with the library's recommended parameters (RFC 9106, 64 MiB, 3 passes). The test
# suite sets CHARTE_PASSWORD_PROFILE="tests": the same algorithm at its cheapest cost.
_PROFILES = {"standard": PasswordHasher(), "tests": PasswordHasher.from_parameters(profiles.CHEAPEST)}


def _hasher() -> PasswordHasher:
    name = current_app.config.get("CHARTE_PASSWORD_PROFILE", "standard") if has_app_context() else "standard"
    return _PROFILES[name]


@lru_cache(maxsize=None)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the e-mail is unknown, so that both paths cost the same time."""
    return hasher.hash("charte-compte-inexistant")

# No look-alike characters (0/O, 1/l/I): the password is read aloud or copied from a screen.
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def check_password_rules(password: str, field: str = "password") -> None:
    """Refuse a password outside 12–128 characters, before any hashing."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères.", field)
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Le mot de passe ne peut pas dépasser {MAX_LENGTH} caractères.", field)
    if not password.strip():
        raise InvalidInput("Le mot de passe ne peut pas être fait que d’espaces.", field)


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; never raises for a wrong or malformed hash."""
    if len(password) > MAX_LENGTH:
        return False
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError, ValueError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def generate_password(groups: int = 4, size: int = 4) -> str:
    """A random password such as 'k7Pq-Zr3m-Hx9a-Tn2w' (19 characters, ~94 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(size)) for _ in range(groups))
