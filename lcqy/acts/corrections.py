"""Correcting a mistaken act: `undo` reverses a case's latest act when nothing depends on it.

The act's rows are removed and what it changed is put back; its events stay in the history and
an `undo` event records the reason. A number the act issued is voided (never reused).
"""

from __future__ import annotations

import json

from lcqy.acts.cases import resolve
from lcqy.acts.common import step_date
from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import validate

# act -> how the clerk calls it
UNDOABLE = {
    "reply": "答复",
    "followup": "回访",
    "extend": "延期",
    "urge": "催办",
    "close": "销号",
    "dispatch": "交办",
    "supervise": "设定专项督办时限",
    "redispatch": "重新交办",
}
# Acts that end the search for the latest act but cannot be undone: the case's course depends
# on them (another case, a number sent out, a department's answer) or they have their own fix.
FIXED = {
    "register": "登记（误登记用 lcqy void 作废）",
    "meeting": "提请专题会议",
    "escalate": "转报（编号已报市级）",
    "forward": "转交答复",
    "reject": "不予受理",
    "return": "退单（部门已退回）",
    "merge": "合并",
    "void": "作废",
    "import": "导入",
    "recalc": "期限调整",
    "receive": "收录交换包（市级结果或退回）",
    "send-result": "报送办理结果（已发出）",
    "send-back": "退回县区（已发出）",
}


def _latest_act(ctx: Ctx, case_id: int) -> dict | None:
    """The case's latest act not already undone. Events that only follow an act (a supervision
    mark it set) or touch no course of handling (an edit, a note) are passed over."""
    acts = list(UNDOABLE) + list(FIXED)
    rows = ctx.ledger.db.query(
        f"""SELECT * FROM events WHERE case_id = ? AND action IN ({",".join("?" * len(acts))})
            AND id NOT IN (SELECT json_extract(detail, '$.event') FROM events
                           WHERE case_id = ? AND action = 'undo')
            ORDER BY id DESC LIMIT 1""",
        [case_id, *acts, case_id],
    )
    row = next(iter(rows), None)
    if row:
        row["detail"] = json.loads(row["detail"])
    return row


def undo(ctx: Ctx, ref: str, *, reason: str, on: str | None = None) -> dict:
    reason = validate.required_text("撤销理由（--reason）", reason)
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        ev = _latest_act(ctx, case["id"])
        if ev is None:
            raise LcqyError(f"{case['reg_no']} 没有可以撤销的操作。")
        act = ev["action"]
        if act not in UNDOABLE:
            raise LcqyError(
                f"{case['reg_no']} 最近一次操作是{FIXED[act]}，不能撤销。"
                f"可以撤销的是最近一次的：{'、'.join(UNDOABLE.values())}。"
            )
        d = step_date(ctx, on, f"{UNDOABLE[act]}日期", ev["act_on"])
        voided = _REVERSE[act](ctx, case, ev, ev["detail"])
        _restore_marks(ctx, case, ev)
        led.event(case["id"], d.isoformat(), "undo", ctx.actor, act=act, event=ev["id"], reason=reason, voided=voided)
    return {
        "case": case,
        "act": act,
        "label": UNDOABLE[act],
        "act_on": ev["act_on"],
        "voided": voided,
        "reason": reason,
    }


def _restore_marks(ctx: Ctx, case: dict, ev: dict) -> None:
    """Put back a 督办 mark the act set or cleared (its `supervision` events follow it)."""
    first = ctx.ledger.db.execute(
        "SELECT detail FROM events WHERE case_id = ? AND action = 'supervision' AND id > ? ORDER BY id LIMIT 1",
        [case["id"], ev["id"]],
    ).fetchone()
    if first:
        ctx.ledger.db["cases"].update(case["id"], {"supervision": json.loads(first[0])["before"]})


def _row(ctx: Ctx, table: str, detail: dict) -> dict:
    """The row the act inserted; it must still be there, unchanged in kind."""
    rid = (detail.get("after") or {}).get("id")
    rows = list(ctx.ledger.db.query(f"SELECT * FROM {table} WHERE id = ?", [rid])) if rid else []
    if not rows:
        raise LcqyError("该操作的记录已不在台帐中（可能是导入的记录），不能撤销。")
    return rows[0]


def _reply(ctx: Ctx, case: dict, ev: dict, detail: dict) -> None:
    db = ctx.ledger.db
    row = _row(ctx, "replies", detail)
    prior = detail.get("state_before")
    if prior is None:  # entered before undo existed: the state the reply came from
        earlier = db.execute("SELECT 1 FROM replies WHERE case_id = ? AND id < ?", [case["id"], row["id"]]).fetchone()
        prior = "replied" if earlier else ("dispatched" if row["dispatch_id"] else "escalated")
    db["replies"].delete(row["id"])
    db["cases"].update(case["id"], {"state": prior})


def _delete(table: str):
    def reverse(ctx: Ctx, case: dict, ev: dict, detail: dict) -> None:
        ctx.ledger.db[table].delete(_row(ctx, table, detail)["id"])

    return reverse


def _urge(ctx: Ctx, case: dict, ev: dict, detail: dict) -> str | None:
    """The urge goes; the number its letter was given is voided."""
    db = ctx.ledger.db
    row = _row(ctx, "urges", detail)
    db["urges"].delete(row["id"])
    if row.get("letter_no"):
        db.execute("UPDATE numbers SET voided = 1 WHERE text = ?", [row["letter_no"]])
    return row.get("letter_no") or None


def _extend(ctx: Ctx, case: dict, ev: dict, detail: dict) -> None:
    db = ctx.ledger.db
    disp = db.execute(
        "SELECT id FROM dispatches WHERE case_id = ? AND status = 'active' ORDER BY id DESC LIMIT 1", [case["id"]]
    ).fetchone()
    prior = detail.get("prior")
    if prior is None:  # entered before undo existed: the earlier due date, reasons unknown
        before = detail["before"]
        prior = {"due_current": before, "due_estimated": int(ctx.cal.is_estimate(_date(before)))}
    db["dispatches"].update(disp[0], prior)


def _close(ctx: Ctx, case: dict, ev: dict, detail: dict) -> None:
    before = detail.get("before") or {}
    ctx.ledger.db["cases"].update(
        case["id"], {"state": "replied", "ended_on": None, "supervision": before.get("supervision", "")}
    )


def _dispatch(ctx: Ctx, case: dict, ev: dict, detail: dict) -> str:
    db = ctx.ledger.db
    row = _row(ctx, "dispatches", detail)
    if db.execute("SELECT 1 FROM replies WHERE dispatch_id = ?", [row["id"]]).fetchone():
        raise LcqyError("该交办已有答复，不能撤销交办；请先撤销答复。")
    before = detail.get("before") or {"state": "registered", "major": case["major"]}
    db["dispatches"].delete(row["id"])
    db.execute("UPDATE numbers SET voided = 1 WHERE text = ?", [row["no"]])
    db["cases"].update(case["id"], {"state": before["state"], "major": before["major"]})
    return row["no"]


def _redispatch(ctx: Ctx, case: dict, ev: dict, detail: dict) -> str:
    db = ctx.ledger.db
    no = _dispatch(ctx, case, ev, detail)
    old = db.execute(
        "SELECT id FROM dispatches WHERE case_id = ? AND no = ? AND status = 'replaced'",
        [case["id"], detail["replaced"]],
    ).fetchone()
    db["dispatches"].update(old[0], {"status": "active", "returned_on": None, "return_reason": ""})
    return no


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)


_REVERSE = {
    "reply": _reply,
    "followup": _delete("followups"),
    "extend": _extend,
    "urge": _urge,
    "close": _close,
    "dispatch": _dispatch,
    "supervise": _delete("supervisions"),
    "redispatch": _redispatch,
}
