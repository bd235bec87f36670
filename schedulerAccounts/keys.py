"""Partner keys: `ao_live_<lookup>_<secret>` (and test keys, `ao_test_...`), stored only as a
SHA-256 hash.

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
TEST_KEY_PREFIX = "ao_test_"
LOOKUP_LENGTH = 8
SECRET_LENGTH = 40
_LOOKUP_ALPHABET = string.ascii_lowercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
_KEY_RE = re.compile(
    rf"^(ao_live_|ao_test_)([a-z0-9]{{{LOOKUP_LENGTH}}})_[A-Za-z0-9]{{{SECRET_LENGTH}}}$"
)


@dataclass(frozen=True)
class NewKey:
    plaintext: str
    prefix: str
    hash: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key(*, test: bool = False) -> NewKey:
    kind = TEST_KEY_PREFIX if test else KEY_PREFIX
    lookup = "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    plaintext = f"{kind}{lookup}_{secret}"
    return NewKey(plaintext=plaintext, prefix=f"{kind}{lookup}", hash=hash_key(plaintext))


def key_prefix(key: str) -> str | None:
    """The stored lookup prefix of a well-formed key (`ao_live_<lookup>` or `ao_test_<lookup>`),
    else None."""
    match = _KEY_RE.match(key)
    return f"{match.group(1)}{match.group(2)}" if match else None


def is_test_key(key: str) -> bool:
    return key.startswith(TEST_KEY_PREFIX)


def key_matches(key: str, stored_hash: str) -> bool:
    # compare_digest: the time taken says nothing about how much of the hash matched.
    return hmac.compare_digest(hash_key(key).encode(), stored_hash.encode())
