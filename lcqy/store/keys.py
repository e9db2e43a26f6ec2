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
from collections.abc import Iterator
from contextlib import contextmanager

from lcqy.errors import LcqyError
from lcqy.store.clock import now_text

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


_seed: bytes | None = None  # set by `seeded` only


@contextmanager
def seeded(seed: bytes) -> Iterator[None]:
    """Keys made inside are derived from `seed`: for the published sample ledger only (a file
    that must come out the same every time), never an office's."""
    global _seed
    _seed = seed
    try:
        yield
    finally:
        _seed = None


def ensure_own(led, seed: bytes | None = None) -> str:
    """The office's key, made if there is none (inside the caller's write); its fingerprint."""
    conn = led.conn
    row = conn.execute("SELECT fingerprint FROM office_keys WHERE own = 1").fetchone()
    if row and seed is None:
        return row[0]
    seed = seed if seed is not None else _seed
    private, public = _raw(_new_private(seed))
    fp = fingerprint(public)
    conn.execute("DELETE FROM office_keys WHERE own = 1")
    on = now_text()[:10]
    conn.execute(
        "INSERT INTO office_keys (own, office_name, public_key, private_key, fingerprint, how, added_on) "
        "VALUES (1, '', ?, ?, ?, 'own', ?)",
        [_b64(public), _b64(private), fp, on],
    )
    # In the history, hence on the chain: a key swapped by another program is found by check --deep.
    led.event(None, on, "key-created", "lcqy", fingerprint=fp)
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


def remember(led, office: dict, public_b64: str, how: str, on: str, actor: str = "") -> str:
    """Record an office's key (inside the caller's write), in the history too; its fingerprint."""
    raw = public_raw(public_b64)
    assert raw is not None
    fp = fingerprint(raw)
    led.conn.execute(
        "INSERT INTO office_keys (own, office_name, prefix, level, public_key, fingerprint, how, added_on) "
        "VALUES (0, ?, ?, ?, ?, ?, ?, ?)",
        [office["office_name"], office["prefix"], office.get("level", ""), public_b64, fp, how, on],
    )
    action = "key-first-use" if how == "tofu" else "key-trust"
    led.event(None, on, action, actor, office_name=office["office_name"], prefix=office["prefix"], fingerprint=fp)
    return fp


KEY_EVENTS = ("key-created", "key-first-use", "key-trust")


def recorded(conn) -> dict[tuple[str, str] | None, str]:
    """Each key's fingerprint as the history last recorded it: None for the office's own key,
    (office_name, prefix) for another office's."""
    out: dict = {}
    marks = ", ".join("?" * len(KEY_EVENTS))
    for action, detail in conn.execute(
        f"SELECT action, detail FROM events WHERE case_id IS NULL AND action IN ({marks}) ORDER BY id", KEY_EVENTS
    ):
        d = json.loads(detail)
        who = None if action == "key-created" else (d.get("office_name"), d.get("prefix"))
        out[who] = d.get("fingerprint")
    return out


def problems(conn) -> list[str]:
    """The keys kept against their fingerprints and against the history (check --deep)."""
    said = []
    have = recorded(conn)
    seen = set()
    for own_, office, prefix, public, fp in conn.execute(
        "SELECT own, office_name, prefix, public_key, fingerprint FROM office_keys ORDER BY id"
    ):
        who = None if own_ else (office, prefix)
        seen.add(who)
        name = "本办" if own_ else office
        raw = public_raw(public or "")
        if raw is None or fingerprint(raw) != fp or have.get(who) != fp:
            said.append(
                f"签名密钥：{name}的密钥（指纹 {fp}）与历史记录中记下的（{have.get(who) or '无'}）不符，"
                "可能被其他程序改过；核实前不要接收该单位的交换包，请用备份恢复。"
            )
    for who, fp in have.items():
        if who not in seen:
            said.append(f"签名密钥：{'本办' if who is None else who[0]}的密钥（指纹 {fp}）已从台帐删除。")
    return said


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
