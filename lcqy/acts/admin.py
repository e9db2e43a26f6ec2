"""Setting up: the ledger itself, the department list, the office's calendar days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.constants import LEVELS
from lcqy.rules.deadlines import dispatch_due, handling_due
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


def recompute_deadlines(ctx: Ctx) -> list[dict]:
    """Open deadlines computed from the calendar follow a change of it: the dispatch limit of
    undispatched cases and the handling limit of dispatches not extended by hand. Each change
    is an event in the case's history. Runs inside the caller's transaction."""
    from lcqy.acts.dispatching import dispatch_base

    ctx.reload_calendar()
    cal, db, changed = ctx.cal, ctx.ledger.db, []
    for case in list(db.query("SELECT * FROM cases WHERE state = 'registered'")):
        due = dispatch_due(cal, dispatch_base(ctx, case), major=bool(case["major"]))
        new = {"dispatch_due": due.isoformat(), "dispatch_due_estimated": int(cal.is_estimate(due))}
        if new != {k: case[k] for k in new}:
            db["cases"].update(case["id"], new)
            changed.append(
                {
                    "case_id": case["id"],
                    "reg_no": case["reg_no"],
                    "what": "交办时限",
                    "before": case["dispatch_due"],
                    "after": new["dispatch_due"],
                }
            )
    sql = (
        "SELECT d.*, c.reg_no FROM dispatches d JOIN cases c ON c.id = d.case_id "
        "WHERE d.status = 'active' AND c.state = 'dispatched'"
    )
    for d in list(db.query(sql)):
        extended = d["due_current"] != d["due_original"]
        due = (
            date.fromisoformat(d["due_current"])
            if extended
            else handling_due(cal, date.fromisoformat(d["received_on"]), d["tier"])
        )
        new = {"due_current": due.isoformat(), "due_estimated": int(cal.is_estimate(due))}
        if not extended:
            new["due_original"] = due.isoformat()
        if any(new[k] != d[k] for k in new):
            db["dispatches"].update(d["id"], new)
            changed.append(
                {
                    "case_id": d["case_id"],
                    "reg_no": d["reg_no"],
                    "what": "办结时限",
                    "before": d["due_current"],
                    "after": new["due_current"],
                }
            )
    for ch in changed:
        ctx.ledger.event(
            ch["case_id"],
            ctx.today.isoformat(),
            "recalc",
            ctx.actor,
            what=ch["what"],
            before=ch["before"],
            after=ch["after"],
        )
    return changed


def calendar_confirm(ctx: Ctx, year: int) -> dict:
    """The office has entered a year's official schedule itself (calendar set …): its dates are
    no longer estimates."""
    import json

    year = validate.year("年份", year)
    led = ctx.ledger
    with led.write():
        years = set(json.loads(led.meta.get("confirmed_years", "[]")))
        if year in years:
            raise LcqyError(f"{year}年的节假日安排已确认过。")
        led.db["meta"].upsert({"key": "confirmed_years", "value": json.dumps(sorted(years | {year}))}, pk="key")
        led.event(None, ctx.today.isoformat(), "calendar-confirm", ctx.actor, year=year)
        changed = recompute_deadlines(ctx)
    return {"year": year, "changed": changed}


def calendar_set(ctx: Ctx, day: str, kind: str, note: str = "") -> dict:
    d = validate.parse_date("日期", day)
    kind = validate.choice("类型", kind, ("holiday", "workday"))
    led = ctx.ledger
    with led.write():
        before = led.db.execute("SELECT kind FROM calendar_days WHERE day = ?", [d.isoformat()]).fetchone()
        led.db["calendar_days"].upsert(
            {"day": d.isoformat(), "kind": kind, "note": validate.optional_text("说明（--note）", note, 100)}, pk="day"
        )
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
        changed = recompute_deadlines(ctx)
    return {"day": d.isoformat(), "kind": kind, "note": note, "changed": changed}


def calendar_unset(ctx: Ctx, day: str) -> dict:
    d = validate.parse_date("日期", day)
    led = ctx.ledger
    with led.write():
        row = led.db.execute("SELECT kind FROM calendar_days WHERE day = ?", [d.isoformat()]).fetchone()
        if row is None:
            raise LcqyError(f"{d} 不是本办公室自定的日子，无需取消。")
        led.db.execute("DELETE FROM calendar_days WHERE day = ?", [d.isoformat()])
        led.event(None, ctx.today.isoformat(), "calendar-unset", ctx.actor, day=d.isoformat(), before=row[0])
        changed = recompute_deadlines(ctx)
    return {"day": d.isoformat(), "before": row[0], "changed": changed}


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
