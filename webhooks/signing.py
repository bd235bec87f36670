"""Standard Webhooks signatures (standardwebhooks.com): what a receiver checks a delivery by.

The secret is `whsec_` + base64 of 32 random bytes. Each try is signed anew with its own
timestamp: `webhook-signature: v1,<base64 of HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`.
Signed here with hmac rather than the `standardwebhooks` package, whose `sign` reads a
non-UTC datetime's wall clock as UTC; the tests verify with that package, as a receiver would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three headers a Standard Webhooks receiver verifies."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
