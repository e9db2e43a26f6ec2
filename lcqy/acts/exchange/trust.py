"""Who sent a package: its signature, the sending office's key, its addressee, and replays.

Every package is signed by the sending office's key (lcqy.store.keys). On receipt the
signature must hold; the first package from an office records its key (trust on first use)
with the package's own entries, and every later one must carry that key. A replay is
recognised by what the sending office numbered (its 报 number, or the city's 收 number with
the reply it answers), which a copy cannot change without breaking the signature.
"""

from __future__ import annotations

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import package as pk
from lcqy.rules import validate
from lcqy.store import keys


def signer(ctx: Ctx):
    """What `build_package` calls to sign a manifest with this office's key."""
    return lambda raw: keys.sign(ctx.ledger, raw)


def verify_sender(ctx: Ctx, pkg: pk.Package) -> str | None:
    """Refuse an unsigned package, a broken signature, or a known office's package under
    another key. For an office not seen before: its key's fingerprint, recorded when the
    receive commits."""
    sig = pkg.signature
    office = pkg.sender["office_name"]
    if sig is None:
        raise pk.refuse(pkg.path, f"没有签名（{pk.SIGNATURE}），无法确认是 {office} 发出的；请对方用新版 lcqy 重新生成")
    ok = (
        isinstance(sig, dict)
        and sig.get("algorithm") == "Ed25519"
        and isinstance(sig.get("public_key"), str)
        and isinstance(sig.get("signature"), str)
        and len(sig["public_key"]) < 100
        and len(sig["signature"]) < 200
    )
    raw = keys.public_raw(sig["public_key"]) if ok else None
    if raw is None:
        raise pk.refuse(pkg.path, f"签名 {pk.SIGNATURE} 的格式不对（应为 Ed25519 公钥和签名）")
    if not keys.check_signature(sig["public_key"], sig["signature"], pkg.manifest_raw):
        raise pk.refuse(pkg.path, "签名与清单不符（交换包在签名后被改动，或签名不是这把密钥的）")
    fp = keys.fingerprint(raw)
    s = pkg.sender
    known = keys.peer(ctx.ledger, s["office_name"], s["prefix"])
    if known is not None:
        if keys.recorded(ctx.ledger.conn).get((s["office_name"], s["prefix"])) != known["fingerprint"]:
            raise pk.refuse(
                pkg.path,
                f"本台帐记录的 {office} 的密钥与历史记录不符（可能被其他程序改过），请先运行 lcqy check --deep 并核实",
            )
        if known["fingerprint"] != fp:
            how = "首次收包时记录" if known["how"] == "tofu" else "用 lcqy keys trust 录入"
            raise pk.refuse(
                pkg.path,
                f"签名密钥与本台帐记录的 {office} 的密钥不同：已记录的指纹 {known['fingerprint']}"
                f"（{known['added_on']} {how}），本包的指纹 {fp}。可能是冒名的交换包；若对方确已更换密钥，"
                "请电话核实指纹后用 lcqy keys trust 对方密钥文件 --replace 更新",
            )
        return None
    if fp == keys.own(ctx.ledger)["fingerprint"]:
        if s["prefix"] == ctx.ledger.prefix:
            return None  # the office's own package: refused for what it is where it is received
        raise pk.refuse(pkg.path, f"签名用的是本办自己的密钥，包上写的发出单位却是 {office}")
    on = ctx.today.isoformat()
    ctx.ledger.on_commit.append(lambda: keys.remember(ctx.ledger, s, sig["public_key"], "tofu", on, ctx.actor))
    return fp


def check_addressee(ctx: Ctx, pkg: pk.Package) -> None:
    """A package for the city (an escalation, the month's figures) names the city level and,
    when it names an office, this one."""
    if pkg.type not in ("escalation", "figures"):
        return  # results and send-backs name the county: checked where they are received
    to = pkg.manifest["to"]
    led = ctx.ledger
    what = pk.TYPES[pkg.type]
    if to.get("level") != "city":
        raise pk.refuse(pkg.path, f"{what}的接收单位应为市级服企办，本包写的是“{str(to.get('level'))[:20]}”")
    mine = {"office_name": led.meta["office_name"], "prefix": led.prefix}
    for k in mine:
        if to.get(k) not in (None, "") and to[k] != mine[k]:
            raise pk.refuse(
                pkg.path, f"这是报给{str(to.get('office_name') or to.get('prefix'))[:60]}的{what}，不是报给本办的"
            )


def replay(ctx: Ctx, pkg: pk.Package) -> None:
    """Refuse a package this ledger has already taken in, by the sending office and its number."""
    conn = ctx.ledger.conn
    s = pkg.sender
    d = pkg.data
    row = None
    if pkg.type == "escalation":
        no = str((d.get("escalation") or {}).get("no") or "")
        row = conn.execute(
            "SELECT x.done_on, c.reg_no, ? FROM exchanges x JOIN cases c ON c.id = x.case_id "
            "WHERE x.direction = 'in' AND x.kind = 'escalation' AND x.peer_prefix = ? "
            "AND json_extract(x.peer_numbers, '$.escalate_no') = ? "
            "UNION ALL SELECT accepted_on, reg_no, ? FROM cases WHERE source_no = ? LIMIT 1",
            [no, s["prefix"], no, no, no],
        ).fetchone()
    elif pkg.type in ("result", "send-back"):
        city, rep = d.get("city") or {}, d.get("reply") or {}
        reg_no = str(city.get("reg_no") or "")
        same = [pkg.type, s["prefix"], reg_no]
        sql = (
            "SELECT x.done_on, c.reg_no, ? FROM exchanges x JOIN cases c ON c.id = x.case_id "
            "WHERE x.direction = 'in' AND x.kind = ? AND x.peer_prefix = ? "
            "AND json_extract(x.peer_numbers, '$.reg_no') = ?"
        )
        if pkg.type == "result":
            sql += " AND json_extract(x.peer_numbers, '$.replied_on') = ?"
            sql += " AND json_extract(x.peer_numbers, '$.result') = ?"
            same += [str(rep.get("replied_on") or ""), str(rep.get("result") or "")]
        row = conn.execute(sql + " LIMIT 1", [reg_no, *same]).fetchone()
    if row is None:  # the sender's own identifier, which the signature now covers
        row = conn.execute(
            "SELECT x.done_on, c.reg_no, '' FROM exchanges x LEFT JOIN cases c ON c.id = x.case_id "
            "WHERE x.direction = 'in' AND x.key = ?",
            [pkg.manifest["key"]],
        ).fetchone()
    if row:
        by = f"（{s['office_name']} 的 {row[2]} 只能接收一次）" if row[2] else ""
        raise pk.refuse(pkg.path, f"该{pk.TYPES[pkg.type]}已于 {row[0]} 接收（{row[1]}），不能重复接收{by}")


# -- lcqy keys ---------------------------------------------------------------------------------


def key_list(ctx: Ctx) -> dict:
    """This office's key and the offices whose keys the ledger holds."""
    own = keys.own(ctx.ledger)
    m = ctx.ledger.meta
    peers = [
        {"office_name": r[0], "prefix": r[1], "level": r[2], "fingerprint": r[3], "how": r[4], "added_on": r[5]}
        for r in ctx.ledger.conn.execute(
            "SELECT office_name, prefix, level, fingerprint, how, added_on FROM office_keys WHERE own = 0 "
            "ORDER BY office_name"
        )
    ]
    return {
        "office_name": m["office_name"],
        "prefix": m["prefix"],
        "fingerprint": own["fingerprint"],
        "public_key": own["public_key"],
        "created_on": own["added_on"],
        "peers": peers,
    }


def trust_file(ctx: Ctx, file: str, replace: bool = False) -> dict:
    """`keys trust FILE`: another office's key file (`keys export`), entered ahead of its packages."""
    import json
    from pathlib import Path

    path = Path(file)
    if not path.is_file():
        raise LcqyError(f"找不到密钥文件 {path}（应为对方用 lcqy keys export 导出的文件）。台帐未改动。")
    try:
        if path.stat().st_size > 10_000:
            raise ValueError
        obj = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        raise LcqyError(f"{path} 不是 lcqy 密钥文件（应为 lcqy keys export 导出的 JSON）。台帐未改动。") from None
    if not isinstance(obj, dict) or obj.get("format") != keys.KEY_FORMAT or obj.get("algorithm") != "Ed25519":
        raise LcqyError(f"{path} 不是 lcqy 密钥文件（应为 lcqy keys export 导出的 JSON）。台帐未改动。")
    try:
        office = {
            "office_name": validate.required_text("密钥文件的单位名称（office_name）", obj.get("office_name"), 100),
            "prefix": validate.required_text("密钥文件的简称（prefix）", obj.get("prefix"), 20),
            "level": validate.choice("密钥文件的级别（level）", str(obj.get("level")), ("county", "city")),
        }
    except LcqyError as exc:
        raise LcqyError(f"{exc.message.rstrip('。')}。台帐未改动。") from None
    raw = keys.public_raw(obj.get("public_key")) if isinstance(obj.get("public_key"), str) else None
    if raw is None:
        raise LcqyError(f"{path} 中的公钥（public_key）不是 Ed25519 公钥。台帐未改动。")
    fp = keys.fingerprint(raw)
    if obj.get("fingerprint") not in (None, fp):
        raise LcqyError(f"{path} 中写的指纹与其公钥不符（文件已被改动）。台帐未改动。")
    led = ctx.ledger
    if office["prefix"] == led.prefix and office["office_name"] == led.meta["office_name"]:
        raise LcqyError("这是本办自己的密钥，不用录入。台帐未改动。")
    with led.write():
        known = keys.peer(led, office["office_name"], office["prefix"])
        if known and known["fingerprint"] == fp:
            return {**office, "fingerprint": fp, "changed": False, "was": None}
        if known and not replace:
            raise LcqyError(
                f"本台帐已记录 {office['office_name']} 的另一把密钥（指纹 {known['fingerprint']}），"
                f"文件中的指纹是 {fp}。"
                "请电话向对方核实后加 --replace 更换。台帐未改动。"
            )
        if known:
            led.conn.execute(
                "DELETE FROM office_keys WHERE own = 0 AND office_name = ? AND prefix = ?",
                [office["office_name"], office["prefix"]],
            )
        keys.remember(led, office, obj["public_key"], "trust", ctx.today.isoformat(), ctx.actor)
    return {**office, "fingerprint": fp, "changed": True, "was": known["fingerprint"] if known else None}
