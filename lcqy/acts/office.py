"""Setting up: the ledger itself, the department list, the office's calendar days."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.acts.dispatch import dispatch_base
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


def recompute_deadlines(ctx: Ctx) -> list[dict]:
    """Open deadlines computed from the calendar follow a change of it: the dispatch limit of
    undispatched cases and the handling limit of dispatches neither extended by hand nor taken
    from an imported sheet. A moved date is an event in the case's history; a change of the
    estimate mark alone is not. Runs inside the caller's transaction."""

    ctx.reload_calendar()
    cal, db, changed = ctx.cal, ctx.ledger.db, []

    def note(case_id: int, reg_no: str, what: str, before: str, after: str) -> None:
        if before != after:
            changed.append({"case_id": case_id, "reg_no": reg_no, "what": what, "before": before, "after": after})

    for case in list(db.query("SELECT * FROM cases WHERE state = 'registered'")):
        due = dispatch_due(cal, dispatch_base(ctx, case), major=bool(case["major"]))
        db["cases"].update(
            case["id"], {"dispatch_due": due.isoformat(), "dispatch_due_estimated": int(cal.is_estimate(due))}
        )
        note(case["id"], case["reg_no"], "交办时限", case["dispatch_due"], due.isoformat())
    sql = (
        "SELECT d.*, c.reg_no FROM dispatches d JOIN cases c ON c.id = d.case_id "
        "WHERE d.status = 'active' AND c.state = 'dispatched'"
    )
    for d in list(db.query(sql)):
        fixed = d["due_current"] != d["due_original"] or d["level"] == "导入"
        if fixed:
            due = date.fromisoformat(d["due_current"])
            new = {"due_estimated": int(cal.is_estimate(due))}
        else:
            due = handling_due(cal, date.fromisoformat(d["received_on"]), d["tier"])
            new = {
                "due_current": due.isoformat(),
                "due_original": due.isoformat(),
                "due_estimated": int(cal.is_estimate(due)),
            }
        db["dispatches"].update(d["id"], new)
        note(d["case_id"], d["reg_no"], "办结时限", d["due_current"], due.isoformat())
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

    year = validate.year("年份", year)
    led = ctx.ledger
    if not ctx.cal.is_estimate(date(year, 1, 1)):
        raise LcqyError(f"{year}年的节假日安排已经收录或已确认过，不需要再确认。")
    with led.write():
        years = set(json.loads(led.meta.get("confirmed_years", "[]")))
        entered = led.db.execute("SELECT count(*) FROM calendar_days WHERE day LIKE ?", [f"{year}-%"]).fetchone()[0]
        if not entered:
            raise LcqyError(
                f"{year}年还没有录入任何放假或调休上班的日子。请先按国务院办公厅通知逐日录入"
                f"（lcqy calendar set {year}-01-01 holiday …），再确认。"
            )
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
        if before and before[0] == kind:
            raise LcqyError(f"{d} 已经定为{'上班日' if kind == 'workday' else '休息日'}。")
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
        "confirmed_by_office": year in json.loads(ctx.ledger.meta.get("confirmed_years", "[]")),
        "workdays": sum(cal.is_workday(d) for d in days),
        "holidays": [d.isoformat() for d, k in zip(days, kinds) if k == "holiday"],
        "adjusted_workdays": [d.isoformat() for d, k in zip(days, kinds) if k == "adjusted"],
        "office_days": [
            {"day": d.isoformat(), "kind": k.removeprefix("office-")}
            for d, k in zip(days, kinds)
            if k.startswith("office-")
        ],
    }
