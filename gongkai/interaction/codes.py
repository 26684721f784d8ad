"""Tracking codes and privacy-preserving digests. Pure apart from the secret key."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

# No 0/O, 1/I/L: a code read over the telephone or copied by hand stays unambiguous.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31**12 ≈ 2**59: not guessable, so the code alone opens the tracking page


def tracking_code(prefix: str) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{prefix}-{body[:4]}-{body[4:8]}-{body[8:]}"


def normalise_code(value: str) -> str:
    """What the sender typed, with spaces, lower case and look-alike characters forgiven."""
    value = unicodedata.normalize("NFKC", value).upper().strip()
    return re.sub(r"[\s—–_]+", "-", value)


def keyed_digest(secret: str, *parts: str) -> str:
    """An HMAC of ``parts``: lets us compare addresses and texts without storing them in clear."""
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def normalise_contact(contact: str) -> str:
    contact = unicodedata.normalize("NFKC", contact).strip().lower()
    return re.sub(r"[\s\-()（）]", "", contact)


def normalise_text(text: str) -> str:
    """Text as compared for duplicates: width-folded, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())
