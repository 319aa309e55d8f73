"""Attendant PINs: stored as salted PBKDF2 hashes in people.pin_hash, never in clear."""

from __future__ import annotations

import hashlib
import hmac
import os

ITERATIONS = 100_000


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str | None) -> bool:
    """True when `pin` matches; a missing or malformed hash never matches."""
    try:
        method, rounds, salt, expected = (stored or "").split("$")
        if method != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)
