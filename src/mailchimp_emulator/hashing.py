"""Mailchimp's identifiers: the md5 subscriber hash, 10-hex ids, API keys shaped `<32 hex>-<dc>`."""

from __future__ import annotations

import hashlib
import random


def subscriber_hash(email: str) -> str:
    # md5 is what Mailchimp uses to key members; it is an identifier here, not a security measure.
    return hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()


def new_hex_id(rng: random.Random, length: int = 10) -> str:
    return format(rng.getrandbits(length * 4), f"0{length}x")


def new_api_key(rng: random.Random, dc: str) -> str:
    return f"{new_hex_id(rng, 32)}-{dc}"


def contact_id_for(unique_email_id: str) -> str:
    """Derived rather than stored: a stable 32-hex id costs no memory per member."""
    return hashlib.md5(f"contact:{unique_email_id}".encode(), usedforsecurity=False).hexdigest()
