"""Setting up: the ledger itself, the department list, the office's calendar days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.constants import LEVELS
from lcqy.store.db import Ledger


def init_ledger(path: Path, *, office_name: str, prefix: str, level: str, clerk: str) -> Ledger:
    office_name = validate.required_text("办公室全称（--office-name）", office_name, 100)
    prefix = validate.required_text("简称（--prefix）", prefix, 20)
    if "服企办" in prefix or any(c in prefix for c in "（）() "):
        raise LcqyError(f"简称（--prefix）“{prefix}”只写地名简称，如“临翔”；编号会自动写成 临翔服企办收（2026）第1号。")
    level = validate.choice("层级（--level）", level, LEVELS)
    clerk = validate.required_text("经办人（--clerk）", clerk, 50)
    return Ledger.create(path, {"office_name": office_name, "prefix": prefix, "level": level, "clerk": clerk})


def dept_add(ctx: Ctx, names: list[str]) -> list[str]:
    led = ctx.ledger
    clean = [validate.required_text("部门名称", n, 50) for n in names]
    with led.write():
        have = {r["name"] for r in led.db.query("SELECT name FROM departments")}
        dup = [n for n in clean if n in have]
        if dup:
            raise LcqyError(f"部门“{'、'.join(dup)}”已在名单中。")
        for n in dict.fromkeys(clean):
            led.db["departments"].insert({"name": n, "added_on": ctx.today.isoformat()})
            led.event(None, ctx.today.isoformat(), "dept-add", ctx.actor, name=n)
    return list(dict.fromkeys(clean))


def calendar_set(ctx: Ctx, day: str, kind: str, note: str = "") -> dict:
    d = validate.parse_date("日期", day)
    kind = validate.choice("类型", kind, ("holiday", "workday"))
    led = ctx.ledger
    with led.write():
        before = led.db.execute("SELECT kind FROM calendar_days WHERE day = ?", [d.isoformat()]).fetchone()
        led.db["calendar_days"].upsert({"day": d.isoformat(), "kind": kind, "note": note}, pk="day")
        led.event(
            None,
            ctx.today.isoformat(),
            "calendar-set",
            ctx.actor,
            day=d.isoformat(),
            before=before[0] if before else None,
            after=kind,
            note=note,
        )
    return {"day": d.isoformat(), "kind": kind, "note": note}


def calendar_unset(ctx: Ctx, day: str) -> dict:
    d = validate.parse_date("日期", day)
    led = ctx.ledger
    with led.write():
        row = led.db.execute("SELECT kind FROM calendar_days WHERE day = ?", [d.isoformat()]).fetchone()
        if row is None:
            raise LcqyError(f"{d} 不是本办公室自定的日子，无需取消。")
        led.db.execute("DELETE FROM calendar_days WHERE day = ?", [d.isoformat()])
        led.event(None, ctx.today.isoformat(), "calendar-unset", ctx.actor, day=d.isoformat(), before=row[0])
    return {"day": d.isoformat(), "before": row[0]}


def year_summary(ctx: Ctx, year: int) -> dict:
    """Whether the official schedule of `year` is known, and what the calendar holds for it."""
    cal = ctx.cal
    days = [date.fromordinal(o) for o in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1)]
    kinds = [cal.day_kind(d) for d in days]
    return {
        "year": year,
        "official_known": not cal.is_estimate(date(year, 1, 1)),
        "workdays": sum(cal.is_workday(d) for d in days),
        "holidays": [d.isoformat() for d, k in zip(days, kinds) if k == "holiday"],
        "adjusted_workdays": [d.isoformat() for d, k in zip(days, kinds) if k == "adjusted"],
        "office_days": [
            {"day": d.isoformat(), "kind": k.removeprefix("office-")}
            for d, k in zip(days, kinds)
            if k.startswith("office-")
        ],
    }
