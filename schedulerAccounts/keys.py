"""Partner keys: `ao_live_<lookup>_<secret>`, stored only as a SHA-256 hash.

The lookup part finds the account with one indexed query; the whole key is then hashed and
compared in constant time. A key carries about 238 bits of randomness, so one round of SHA-256
is enough: there is nothing to brute-force, and a slow password hash would only slow every
API call.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

KEY_PREFIX = "ao_live_"
LOOKUP_LENGTH = 8
SECRET_LENGTH = 40
_LOOKUP_ALPHABET = string.ascii_lowercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
_KEY_RE = re.compile(rf"^{KEY_PREFIX}([a-z0-9]{{{LOOKUP_LENGTH}}})_[A-Za-z0-9]{{{SECRET_LENGTH}}}$")


@dataclass(frozen=True)
class NewKey:
    plaintext: str
    prefix: str
    hash: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> NewKey:
    lookup = "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    plaintext = f"{KEY_PREFIX}{lookup}_{secret}"
    return NewKey(plaintext=plaintext, prefix=f"{KEY_PREFIX}{lookup}", hash=hash_key(plaintext))


def key_prefix(key: str) -> str | None:
    """The stored lookup prefix of a well-formed key (`ao_live_<lookup>`), else None."""
    match = _KEY_RE.match(key)
    return f"{KEY_PREFIX}{match.group(1)}" if match else None


def key_matches(key: str, stored_hash: str) -> bool:
    # compare_digest: the time taken says nothing about how much of the hash matched.
    return hmac.compare_digest(hash_key(key).encode(), stored_hash.encode())
