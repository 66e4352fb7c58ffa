"""Keyed hashing and masking of personal identifiers (interface.md, Privacy).

Raw IDs and phone numbers never leave the raw/staging layer: ingest computes
`person_key` (HMAC-SHA256 with the deployment key) and masked forms next to the raw value,
so dbt never sees the key and marts only carry keys and masks.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def load_or_create_key(key_file: Path) -> bytes:
    """The key comes from $YIYE_PERSON_KEY, else `secret.key` in the home (created on first use)."""
    env = os.environ.get("YIYE_PERSON_KEY")
    if env:
        return env.encode("utf-8")
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip().encode("ascii")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    tmp = key_file.with_suffix(".tmp")
    tmp.write_text(key + "\n", encoding="ascii")
    os.chmod(tmp, 0o600)
    os.replace(tmp, key_file)
    return key.encode("ascii")


def keyed_hash(key: bytes, value: str | None) -> str | None:
    """Stable pseudonym of an identifier: hex HMAC-SHA256, first 32 hex chars."""
    if value is None or value == "":
        return None
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def mask_id(value: str | None) -> str | None:
    """`310115198001011234` → `310115********1234` (first 6, last 4)."""
    if value is None:
        return None
    s = str(value)
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_phone(value: str | None) -> str | None:
    """`13812345678` → `138****5678`; other lengths keep first 3 and last 4."""
    if value is None:
        return None
    s = str(value)
    if len(s) <= 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_value(value: object) -> str | None:
    """Mask anything that might be an identifier before it is printed in a message.

    Long digit strings (IDs, phones, bank numbers) are masked; other text is kept so the clerk
    can find the bad cell.
    """
    if value is None:
        return None
    s = str(value)
    digits = sum(ch.isdigit() for ch in s)
    if digits >= 11 and len(s) >= 15:
        return mask_id(s)
    if digits >= 7:
        return mask_phone(s)
    return s
