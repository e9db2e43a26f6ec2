"""Small pieces every act shares: the department list and step-date checks."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.shellword import arg
from lcqy.store.outputs import check_target


def departments(ctx: Ctx) -> list[str]:
    return [name for (name,) in ctx.ledger.conn.execute("SELECT name FROM departments ORDER BY rowid")]


def department_counts(ctx: Ctx) -> list[dict]:
    """Per department: cases it leads, cooperates on, returned (退单) and was urged on."""
    sql = """
    SELECT p.name,
      (SELECT count(*) FROM dispatches d WHERE d.lead_dept = p.name AND d.status = 'active') AS lead,
      (SELECT count(*) FROM dispatches d WHERE d.status = 'active'
         AND EXISTS (SELECT 1 FROM json_each(d.assist) WHERE json_each.value = p.name)) AS assist,
      (SELECT count(*) FROM dispatches d WHERE d.lead_dept = p.name AND d.status = 'returned') AS returns,
      (SELECT count(*) FROM urges u JOIN dispatches d ON d.id = u.dispatch_id WHERE d.lead_dept = p.name) AS urges
    FROM departments p ORDER BY p.rowid
    """
    return list(ctx.ledger.rows(sql))


def require_dept(ctx: Ctx, name: str, label: str = "部门") -> str:
    """A department must be on the office's list; a near miss gets suggestions."""
    name = (name or "").strip()
    known = departments(ctx)
    if name in known:
        return name
    if not known:
        raise LcqyError(
            f"{label}“{name}”不在部门名单中：名单还是空的，请先添加，如 lcqy dept add {arg(name or '县发展和改革局')}。"
        )
    near = difflib.get_close_matches(name, known, n=3, cutoff=0.3)
    near += [k for k in known if name and (name in k or k in name) and k not in near]
    hint = f"您是否要找：{'、'.join(near[:3])}？" if near else "可用 lcqy dept list 查看名单。"
    raise LcqyError(f"{label}“{name}”不在部门名单中。{hint}")


def record(result: dict, hidden: tuple[str, ...] = ("case",)) -> dict:
    """What an act's --json prints (and what a web page is given): its result without the rows
    it carries for the caller (`hidden`), the case named by its registration number."""
    return {k: v for k, v in result.items() if k not in hidden} | {"reg_no": result["case"]["reg_no"]}


def step_date(
    ctx: Ctx, text: str | date | None, after_label: str, after: str | date | None, label: str = "办理日期（--date）"
) -> date:
    """The act's date: given or today, not in the future, not before the step it follows."""
    on = ctx.act_date(text, label)
    if after:
        prev = after if isinstance(after, date) else date.fromisoformat(after)
        validate.not_before(label, on, after_label, prev)
    return on


def set_supervision(ctx: Ctx, case: dict, new: str, on: date, why: str) -> None:
    """督办台帐 / 专项督办 marks (第十八条); 专项督办 is not lowered by a new reply."""
    old = case["supervision"]
    if new == old or (old == "special" and new == "ledger"):
        return
    ctx.ledger.db["cases"].update(case["id"], {"supervision": new})
    ctx.ledger.event(case["id"], on.isoformat(), "supervision", ctx.actor, before=old, after=new, why=why)
    case["supervision"] = new


def output_file(given: str | None, default: str, suffix: str, force: bool) -> Path:
    """Where a document goes: checked before any work, so a bad path costs nothing; a device,
    FIFO, socket or directory is never written over (lcqy.store.outputs)."""

    path = Path(given or default)
    if path.suffix.lower() != suffix:
        raise LcqyError(f"输出文件（-o）须以 {suffix} 结尾：{path}。台帐未改动。")
    return check_target(path, force)
