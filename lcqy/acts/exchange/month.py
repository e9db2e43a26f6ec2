"""City-wide monthly figures (第三条): a county writes its month's figures into a package
(`package-month`); the city `receive`s it and `figures` shows each county beside the city.

Received figures are kept as history events of the ledger (no case), the latest per office and
month counting: a corrected package from a county replaces its earlier figures, the same one
twice is refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from lcqy.acts.common import output_file
from lcqy.acts.context import Ctx
from lcqy.acts.exchange.packages import _office, _put
from lcqy.acts.figures.city import ACTION, own_figures, received
from lcqy.errors import LcqyError
from lcqy.rules import month_figures as mf
from lcqy.rules import package as pk
from lcqy.store.db import now_text


def write_month_package(ctx: Ctx, month: str, output: str | None, force: bool = False) -> Path:
    if ctx.ledger.level != "county":
        raise LcqyError("月度办理情况包由县（区）服企办报市服企办；市级台帐用 lcqy figures 查看全市情况。")
    data = own_figures(ctx, month)
    first = mf.parse_month(month)
    name = f"{ctx.ledger.prefix}服企办{first.year}年{first.month}月办理情况{pk.SUFFIX}"
    final = output_file(output, name, pk.SUFFIX, force)
    key = f"figures:{ctx.ledger.prefix}:{first:%Y-%m}"
    manifest = {"type": "figures", "key": key, "created_at": now_text(), "from": _office(ctx), "to": {"level": "city"}}
    blob = pk.build_package(manifest, data, {})
    today = ctx.today.isoformat()

    def record() -> None:
        with ctx.ledger.write():
            ctx.ledger.event(None, today, "package-month", ctx.actor, month=data["month"], file=final.name)

    return _put(blob, final, record)


def receive_figures(ctx: Ctx, pkg: pk.Package, on: str | None) -> dict:
    s = pkg.sender
    if ctx.ledger.level != "city":
        raise pk.refuse(pkg.path, "月度办理情况包应由市服企办的市级台帐接收")
    if s["level"] != "county" or s["prefix"] == ctx.ledger.prefix:
        raise pk.refuse(pkg.path, "月度办理情况包须来自县（区）服企办")
    try:
        month = mf.month_key(str(pkg.data.get("month")))
        counts, by = mf.check(pkg.data.get("figures"), pkg.data.get("received_by"))
        period = pkg.data.get("period") if isinstance(pkg.data.get("period"), dict) else {}
        as_of = date.fromisoformat(str(period.get("as_of")))
    except (LcqyError, ValueError) as exc:
        why = exc.message.rstrip("。") if isinstance(exc, LcqyError) else "截至日期不对"
        raise pk.refuse(pkg.path, why) from None
    if f"{as_of:%Y-%m}" != month:
        raise pk.refuse(pkg.path, f"截至日期 {as_of} 不在 {month} 之内")
    digest = pk.sha256(json.dumps([counts, by], sort_keys=True, ensure_ascii=False).encode())
    d = ctx.act_date(on, "接收日期（--date）").isoformat()
    with ctx.ledger.write():
        before = next((x for x in received(ctx, month) if x["prefix"] == s["prefix"]), None)
        if before and before["figures_sha256"] == digest:
            why = f"{s['office_name']} {month} 的办理情况已于 {before['received_on']} 接收，内容相同，不能重复接收"
            raise pk.refuse(pkg.path, why)
        detail = {"office_name": s["office_name"], "prefix": s["prefix"], "month": month, "as_of": as_of.isoformat(),
                  "figures": counts, "received_by": by, "figures_sha256": digest, "received_on": d,
                  "file": pkg.path.name, "replaces": before["received_on"] if before else None}  # fmt: skip
        ctx.ledger.event(None, d, ACTION, ctx.actor, **detail)
    return {"type": "figures", "from": s["office_name"], "month": month, "as_of": detail["as_of"],
            "received": counts["received"], "late_now": counts["late_dispatch"] + counts["late_reply"],
            "replaced": bool(before)}  # fmt: skip
