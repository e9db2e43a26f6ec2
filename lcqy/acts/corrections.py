"""Corrections: `undo` reverses a case's latest act when nothing depends on it; `edit` corrects a
registration field with before and after; `void` voids a number registered by mistake.

The act's rows are removed and what it changed is put back; its events stay in the history and
an `undo` event records the reason. A number the act issued is voided (never reused).
"""

from __future__ import annotations

import json

from lcqy.acts.cases import resolve
from lcqy.acts.common import record, step_date
from lcqy.acts.context import Ctx
from lcqy.acts.dispatch import dispatch_base
from lcqy.acts.intake.register import EDITABLE, FIELDS, clean_field
from lcqy.errors import LcqyError
from lcqy.rules import states, validate
from lcqy.rules.constants import STATES
from lcqy.rules.deadlines import dispatch_due

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
    return record(
        {"case": case, "act": act, "label": UNDOABLE[act], "act_on": ev["act_on"], "voided": voided, "reason": reason}
    )


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


def void(ctx: Ctx, ref: str, *, reason: str, on: str | None = None) -> dict:
    reason = validate.required_text("作废理由（--reason）", reason)
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        nxt = states.check("void", case["state"])
        d = step_date(ctx, on, "受理时间", case["accepted_on"])
        if led.db.execute("SELECT 1 FROM dispatches WHERE case_id = ?", [case["id"]]).fetchone():
            raise LcqyError("该案件已交办过，不能作废；请用 lcqy edit 更正或按流程办结。")
        led.db.execute("UPDATE numbers SET voided = 1 WHERE text = ?", [case["reg_no"]])
        led.db["cases"].update(case["id"], {"state": nxt, "end_reason": reason, "ended_on": d.isoformat()})
        led.event(case["id"], d.isoformat(), "void", ctx.actor, reason=reason, number=case["reg_no"])
    return {"reg_no": case["reg_no"], "state": "void", "reason": reason}


_FLAGS = {"consult": "咨询类", "major": "重大问题"}
_YES = {"是": 1, "否": 0, "1": 1, "0": 0, "yes": 1, "no": 0, "true": 1, "false": 0}


def edit(ctx: Ctx, ref: str, *, field: str, value: str, on: str | None = None) -> dict:
    """A recorded correction of a registration field, with before and after."""
    led = ctx.ledger
    names = {**{k: FIELDS[k][0] for k in EDITABLE}, **_FLAGS}
    field = {"title": "contact_title"}.get(field, field)  # register's --title
    key = next((k for k, label in names.items() if field in (k, label, k.replace("_", "-"))), None)
    if key is None:
        raise LcqyError(f"不能更正字段“{field}”。可更正：{'、'.join(f'{v}（{k}）' for k, v in names.items())}。")
    with led.write():
        case = resolve(ctx, ref)
        states.check("edit", case["state"])
        d = step_date(ctx, on, "受理时间", case["accepted_on"])
        if key in _FLAGS:
            if value.strip().lower() not in _YES:
                raise LcqyError(f"{_FLAGS[key]}的值只能是：是、否。")
            new: object = _YES[value.strip().lower()]
            if case["state"] not in states.OPEN_BEFORE_DISPATCH:
                raise LcqyError(
                    f"{_FLAGS[key]}决定交办时限和程序，只能在交办前更正；该案件已是“{STATES[case['state']]}”。"
                )
        else:
            new = clean_field(key, value, level="city" if case["source_no"] else "county")
            if key == "accepted_by" and not new:  # filled at registration; a blank would lose who accepted it
                raise LcqyError(f"{names[key]}不能为空。")
        if key == "reported_on" and new > case["accepted_on"]:
            raise LcqyError(f"反映时间 {new} 不能晚于受理时间 {case['accepted_on']}。")
        if new == case[key]:
            raise LcqyError(f"{names[key]}已经是“{value}”，不需要更正。")
        update = {key: new}
        if key == "major":
            due = dispatch_due(ctx.cal, dispatch_base(ctx, case), major=bool(new))
            update["dispatch_due"] = due.isoformat()
            update["dispatch_due_estimated"] = int(ctx.cal.is_estimate(due))
        led.db["cases"].update(case["id"], update)
        led.event(case["id"], d.isoformat(), "edit", ctx.actor, field=key, before=case[key], after=new)
    shown = (lambda x: "是" if x else "否") if key in _FLAGS else (lambda x: x)
    # `label`: the field as the 登记表 names it, for the sentence that reports the correction.
    before, after = shown(case[key]), shown(new)
    return {"reg_no": case["reg_no"], "field": key, "before": before, "after": after, "label": names[key]}
