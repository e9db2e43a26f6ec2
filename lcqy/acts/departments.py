"""The office's department list over time: renamed, retired, and near-duplicates warned of.

A rename rewrites the department's name in the current records (lead and cooperating
departments of every dispatch, the department a consultation was forwarded to) with an event in
each case's history; the history itself keeps the old name, as the events were written. Why not
a mapping old -> new applied when reading: every list, report, statistic and export reads the
stored name directly, and one query that forgot the mapping would split a department's counts
in two. A retired department takes no new dispatch; its records stay as they are.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date

from lcqy.acts.common import require_dept
from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import validate


def retired(ctx: Ctx) -> dict[str, str]:
    """Retired department -> the date it was retired."""
    rows = ctx.ledger.db.query("SELECT name, retired_on FROM departments WHERE retired_on IS NOT NULL")
    return {r["name"]: r["retired_on"] for r in rows}


def require_active_dept(ctx: Ctx, name: str, label: str = "部门") -> str:
    """A department on the list and not retired: where new work may go (dispatch, forward)."""

    name = require_dept(ctx, name, label)
    on = retired(ctx).get(name)
    if on:
        raise LcqyError(
            f"{label}“{name}”已于 {on} 停用，不能再交办给它；请选择接替它的部门（lcqy dept list 查看名单）。"
        )
    return name


def _key(name: str) -> str:
    return re.sub(r"\s+", "", validate.fold(name))


def _in_order(short: str, long: str) -> bool:
    """Every character of `short` appears in `long` in the same order: 区发改局 / 区发展和改革局."""
    it = iter(long)
    return all(ch in it for ch in short)


def near_duplicates(name: str, known: list[str]) -> list[str]:
    """Names on the list that are probably the same department written another way: an
    abbreviation (人社局 for 人力资源和社会保障局), a missing or extra character, other spacing."""
    out = []
    for k in known:
        a, b = sorted((_key(name), _key(k)), key=len)
        if a == b or (len(a) >= 3 and _in_order(a, b)) or difflib.SequenceMatcher(None, a, b).ratio() >= 0.75:
            out.append(k)
    return out


def dept_add(ctx: Ctx, names: list[str]) -> dict:
    """Add departments; a name close to one already listed is added too, with a warning."""
    led = ctx.ledger
    clean = list(dict.fromkeys(validate.required_text("部门名称", n, 50) for n in names))
    with led.write():
        have = [r["name"] for r in led.db.query("SELECT name FROM departments ORDER BY rowid")]
        dup = [n for n in clean if n in have]
        if dup:
            raise LcqyError(f"部门“{'、'.join(dup)}”已在名单中。")
        near = {}
        for n in clean:
            close = near_duplicates(n, have)
            if close:
                near[n] = close
            led.db["departments"].insert({"name": n, "added_on": ctx.today.isoformat()})
            led.event(None, ctx.today.isoformat(), "dept-add", ctx.actor, name=n)
            have.append(n)
    return {"added": clean, "near": near}


def _existing(ctx: Ctx, name: str, label: str) -> str:
    name = (name or "").strip()
    known = [r["name"] for r in ctx.ledger.db.query("SELECT name FROM departments ORDER BY rowid")]
    if name in known:
        return name
    near = difflib.get_close_matches(name, known, n=3, cutoff=0.3)
    hint = f"您是否要找：{'、'.join(near)}？" if near else "可用 lcqy dept list 查看名单。"
    raise LcqyError(f"{label}“{name}”不在部门名单中。{hint}")


def dept_rename(ctx: Ctx, old: str, new: str, on: str | None = None) -> dict:
    led = ctx.ledger
    new = validate.required_text("新名称", new, 50)
    d = ctx.act_date(on)
    with led.write():
        old = _existing(ctx, old, "部门")
        if new == old:
            raise LcqyError(f"新名称与原名称相同：“{old}”。")
        if led.db.execute("SELECT 1 FROM departments WHERE name = ?", [new]).fetchone():
            raise LcqyError(f"部门“{new}”已在名单中；两个部门合并时，请停用其中一个（lcqy dept retire {old}）。")
        row = led.db.execute("SELECT note FROM departments WHERE name = ?", [old]).fetchone()
        note = "；".join(x for x in (row[0], f"{d.isoformat()} 由“{old}”更名") if x)
        led.db.execute("UPDATE departments SET name = ?, note = ? WHERE name = ?", [new, note, old])
        touched: dict[int, list[str]] = {}
        for disp in list(led.db.query("SELECT id, case_id, no, lead_dept, assist FROM dispatches")):
            assist = json.loads(disp["assist"])
            changes = {}
            if disp["lead_dept"] == old:
                changes["lead_dept"] = new
            if old in assist:
                changes["assist"] = json.dumps([new if a == old else a for a in assist], ensure_ascii=False)
            if changes:
                led.db["dispatches"].update(disp["id"], changes)
                touched.setdefault(disp["case_id"], []).append(disp["no"])
        for (case_id,) in led.db.execute("SELECT id FROM cases WHERE forward_dept = ?", [old]).fetchall():
            led.db["cases"].update(case_id, {"forward_dept": new})
            touched.setdefault(case_id, [])
        for case_id, nos in touched.items():
            led.event(case_id, d.isoformat(), "dept-rename", ctx.actor, before=old, after=new, dispatches=nos)
        led.event(None, d.isoformat(), "dept-rename", ctx.actor, before=old, after=new, cases=len(touched))
    return {"before": old, "after": new, "on": d.isoformat(), "cases": len(touched)}


def dept_retire(ctx: Ctx, name: str, on: str | None = None) -> dict:
    led = ctx.ledger
    d: date = ctx.act_date(on)
    with led.write():
        name = _existing(ctx, name, "部门")
        was = retired(ctx).get(name)
        if was:
            raise LcqyError(f"部门“{name}”已于 {was} 停用。")
        led.db.execute("UPDATE departments SET retired_on = ? WHERE name = ?", [d.isoformat(), name])
        led.event(None, d.isoformat(), "dept-retire", ctx.actor, name=name)
        (open_cases,) = led.db.execute(
            "SELECT count(DISTINCT d.case_id) FROM dispatches d JOIN cases c ON c.id = d.case_id "
            "WHERE d.status = 'active' AND c.state = 'dispatched' "
            "AND (d.lead_dept = :n OR EXISTS (SELECT 1 FROM json_each(d.assist) WHERE json_each.value = :n))",
            {"n": name},
        ).fetchone()
    return {"name": name, "on": d.isoformat(), "open_cases": open_cases}
