"""The office's Ed25519 signing key and the keys of the offices it exchanges packages with.

The own key is made when the ledger is made (or upgraded: migration 18) and kept in the
ledger, readable by its owner only like the rest (R14); a backup carries it, so a restored
ledger still signs as the office. Other offices' keys are kept by office name and prefix:
the first package from an office records its key (trust on first use, as SSH does), or the
clerk enters it ahead of time with `lcqy keys trust FILE`; after that a package from that
office must be signed by that key.

`cryptography` is imported only here, by the commands that sign, verify or show keys.
"""

from __future__ import annotations

import base64
import hashlib
import json

from lcqy.errors import LcqyError

KEY_FORMAT = "lcqy-office-key"


def fingerprint(public_raw: bytes) -> str:
    """Like SSH's: SHA256: and the digest in base64."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(public_raw).digest()).decode().rstrip("=")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _new_private(seed: bytes | None = None):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if seed is not None:
        return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed).digest())
    return Ed25519PrivateKey.generate()


def _raw(key) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives import serialization as s

    private = key.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())
    public = key.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    return private, public


def ensure_own(led, seed: bytes | None = None) -> str:
    """The office's key, made if there is none (inside the caller's write); its fingerprint.
    `seed` makes it reproducible: for the published sample ledger only, never an office's."""
    from lcqy.store.db import now_text

    conn = led.conn
    row = conn.execute("SELECT fingerprint FROM office_keys WHERE own = 1").fetchone()
    if row and seed is None:
        return row[0]
    private, public = _raw(_new_private(seed))
    fp = fingerprint(public)
    conn.execute("DELETE FROM office_keys WHERE own = 1")
    conn.execute(
        "INSERT INTO office_keys (own, office_name, public_key, private_key, fingerprint, how, added_on) "
        "VALUES (1, '', ?, ?, ?, 'own', ?)",
        [_b64(public), _b64(private), fp, now_text()[:10]],
    )
    return fp


def own(led) -> dict:
    sql = "SELECT public_key, private_key, fingerprint, added_on FROM office_keys WHERE own = 1"
    row = led.conn.execute(sql).fetchone()
    if row is None:
        raise LcqyError("本台帐还没有签名密钥（请用新版 lcqy 打开一次台帐以完成升级）。")
    return {"public_key": row[0], "private_key": row[1], "fingerprint": row[2], "added_on": row[3]}


def sign(led, data: bytes) -> dict:
    """The signature of `data` by the office's key, as a package carries it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    k = own(led)
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(k["private_key"]))
    return {"algorithm": "Ed25519", "public_key": k["public_key"], "signature": _b64(key.sign(data))}


def check_signature(public_b64: str, signature_b64: str, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        public = base64.b64decode(public_b64, validate=True)
        sig = base64.b64decode(signature_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(public).verify(sig, data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def public_raw(public_b64: str) -> bytes | None:
    try:
        raw = base64.b64decode(public_b64, validate=True)
    except (ValueError, TypeError):
        return None
    return raw if len(raw) == 32 else None


def peer(led, office_name: str, prefix: str) -> dict | None:
    row = led.conn.execute(
        "SELECT public_key, fingerprint, how, added_on, level FROM office_keys "
        "WHERE own = 0 AND office_name = ? AND prefix = ?",
        [office_name, prefix],
    ).fetchone()
    if row is None:
        return None
    return {"public_key": row[0], "fingerprint": row[1], "how": row[2], "added_on": row[3], "level": row[4]}


def remember(led, office: dict, public_b64: str, how: str, on: str) -> str:
    """Record an office's key (inside the caller's write); its fingerprint."""
    raw = public_raw(public_b64)
    assert raw is not None
    fp = fingerprint(raw)
    led.conn.execute(
        "INSERT INTO office_keys (own, office_name, prefix, level, public_key, fingerprint, how, added_on) "
        "VALUES (0, ?, ?, ?, ?, ?, ?, ?)",
        [office["office_name"], office["prefix"], office.get("level", ""), public_b64, fp, how, on],
    )
    return fp


def export_text(led) -> str:
    """The office's public key as a small JSON file another office can `lcqy keys trust`."""
    k = own(led)
    m = led.meta
    obj = {
        "format": KEY_FORMAT,
        "office_name": m["office_name"],
        "prefix": m["prefix"],
        "level": m["level"],
        "algorithm": "Ed25519",
        "public_key": k["public_key"],
        "fingerprint": k["fingerprint"],
    }
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"
