"""Before handling: dispatch, escalate, forward, reject, return, extend (第十至十六条)."""

from __future__ import annotations

import json
from datetime import date

from lcqy.acts.cases import active_dispatch, resolve
from lcqy.acts.common import record, step_date
from lcqy.acts.context import Ctx
from lcqy.acts.departments import require_active_dept
from lcqy.acts.exchange.packages import escalate_package, package_dir
from lcqy.errors import LcqyError
from lcqy.rules import states, validate
from lcqy.rules.constants import APPROVAL_LEVELS, REJECT_REASONS, TIERS
from lcqy.rules.deadlines import check_approval, dispatch_due, extension_limit, extension_span, handling_due
from lcqy.rules.lateness import is_late
from lcqy.rules.workdays import next_workday


def sent_back_on(ctx: Ctx, case_id: int) -> str | None:
    """When the city's send-back of this case came in (the dispatch limit runs again from it)."""
    row = ctx.ledger.conn.execute(
        "SELECT max(done_on) FROM exchanges WHERE case_id = ? AND direction = 'in' AND kind = 'send-back'", [case_id]
    ).fetchone()
    return row[0] if row else None


def _last_return(ctx: Ctx, case: dict) -> str | None:
    row = ctx.ledger.db.execute(
        "SELECT max(returned_on) FROM dispatches WHERE case_id = ? AND status = 'returned'", [case["id"]]
    ).fetchone()
    # a case the city sent back counts as returned
    return max(filter(None, (row[0], sent_back_on(ctx, case["id"]))), default=None)


def dispatch_base(ctx: Ctx, case: dict) -> date:
    """The dispatch limit runs from acceptance, or from the last 退单 for a re-dispatch."""
    return date.fromisoformat(_last_return(ctx, case) or case["accepted_on"])


def dispatch_departments(ctx: Ctx, lead: str, assist: list[str]) -> tuple[str, list[str]]:
    """One lead department and distinct cooperating ones, all on the active list (第十四条)."""
    lead = require_active_dept(ctx, lead, "牵头部门")
    assist = [require_active_dept(ctx, a, "配合部门") for a in dict.fromkeys(assist)]
    if lead in assist:
        raise LcqyError(f"“{lead}”已是牵头部门，不能同时作为配合部门（第十四条：牵头单位为一个）。")
    return lead, assist


def issue_dispatch(
    ctx: Ctx,
    case: dict,
    *,
    lead: str,
    assist: list[str],
    approver: str,
    level: str,
    tier: str,
    on: date,
    received: str | None,
    base: date,
    exempt: bool = False,
    instruction: str = "",
) -> tuple[dict, bool]:
    """A 交办单 issued on `on` (a first dispatch or a 重新交办): its receipt date, its dispatch
    limit from `base` (2 or 3 working days, 第十二条) and whether it came late (`exempt`: not
    held to the limit); returns the row and whether the case is now a major one."""
    got = step_date(ctx, received, "交办日期", on, label="收到日期（--received）") if received else on
    major = bool(case["major"]) or tier == "重大"
    limit = dispatch_due(ctx.cal, base, major=major, has_assist=bool(assist))
    due = handling_due(ctx.cal, got, tier)  # the handling limit runs from receipt (第十六条)
    led = ctx.ledger
    _, no = led.allocate("交", on.year, on.isoformat(), case["id"])
    row = {
        "case_id": case["id"],
        "no": no,
        "lead_dept": lead,
        "assist": json.dumps(assist, ensure_ascii=False),
        "approver": approver,
        "level": level,
        "tier": tier,
        "dispatched_on": on.isoformat(),
        "received_on": got.isoformat(),
        "limit_due": limit.isoformat(),
        "late": int(is_late(ctx.cal, limit, on) and not exempt),
        "due_original": due.isoformat(),
        "due_current": due.isoformat(),
        "due_estimated": int(ctx.cal.is_estimate(due)),
        "instruction": instruction,
    }
    row["id"] = led.db["dispatches"].insert(row).last_pk
    return row, major


def _intake_step(ctx: Ctx, case: dict, on: str | None) -> date:
    """The date of an act on an undispatched case: not before its acceptance or last 退单."""
    back = _last_return(ctx, case)
    return step_date(ctx, on, "退单日期" if back else "受理时间", back or case["accepted_on"])


def dispatch(
    ctx: Ctx,
    ref: str,
    *,
    lead: str | None,
    assist: list[str],
    approver: str,
    level: str,
    tier: str = "一般",
    received: str | None = None,
    on: str | None = None,
    instruction: str = "",
) -> dict:
    instruction = validate.optional_text("领导批示（--instruction）", instruction)
    level = validate.choice("审批层级（--level）", level, APPROVAL_LEVELS)
    tier = validate.choice("办理类别（--tier）", tier, TIERS)
    approver = validate.required_text("签批领导（--approver）", approver, 50)
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        if level == "专题会议" and not lead:
            # 第十二条: matters for the main leaders go to a special meeting first.
            states.check("meeting", case["state"])
            d = _intake_step(ctx, case, on)
            led.db["cases"].update(case["id"], {"state": "meeting"})
            led.event(case["id"], d.isoformat(), "meeting", ctx.actor, approver=approver)
            return record({"case": case, "meeting": True})
        states.check("dispatch", case["state"])
        if not lead:
            raise LcqyError("交办须指定一个牵头部门（--dept），配合部门用 --assist。")
        lead, assist = dispatch_departments(ctx, lead, assist)
        check_approval(level, assist=bool(assist), major=bool(case["major"]), tier=tier)
        d = _intake_step(ctx, case, on)
        row, major = issue_dispatch(
            ctx,
            case,
            lead=lead,
            assist=assist,
            approver=approver,
            level=level,
            tier=tier,
            on=d,
            received=received,
            base=dispatch_base(ctx, case),
            # A case the special meeting decided is not held to the 2/3-day limit.
            exempt=case["state"] == "meeting",
            instruction=instruction,
        )
        # A 重大 handling tier makes the case a major one wherever it is shown (Excel, show).
        led.db["cases"].update(case["id"], {"state": "dispatched", "major": int(major)})
        # `before`: what undo puts back.
        before = {"state": case["state"], "major": case["major"]}
        led.event(case["id"], d.isoformat(), "dispatch", ctx.actor, after=row, before=before)
    return record({"case": case, **row, "assist": assist})


def escalate(
    ctx: Ctx,
    ref: str,
    *,
    approver: str,
    suggestion: str,
    on: str | None = None,
    instruction: str = "",
    package: str | None = None,
) -> dict:
    """转报 (第十二、十三条); with `package`, the escalation package for the city is written into
    that folder once the escalation is recorded (the folder is checked first)."""
    folder = package_dir(package) if package else None
    r = _escalate(ctx, ref, approver=approver, suggestion=suggestion, on=on, instruction=instruction)
    r["package"] = str(escalate_package(ctx, r["no"], folder)) if folder else None
    return record(r)


def _escalate(ctx: Ctx, ref: str, *, approver: str, suggestion: str, on: str | None, instruction: str) -> dict:
    led = ctx.ledger
    if led.level != "county":
        raise LcqyError("本台帐是市级服企办台帐：第三条只规定县（区）向市级转报，市级问题请直接交办（lcqy dispatch）。")
    approver = validate.required_text("签批领导（--approver，须为组长）", approver, 50)
    suggestion = validate.required_text("办理建议（--suggestion）", suggestion)
    instruction = validate.optional_text("领导批示（--instruction）", instruction)
    with led.write():
        case = resolve(ctx, ref)
        states.check("escalate", case["state"])
        d = _intake_step(ctx, case, on)
        limit = dispatch_due(ctx.cal, dispatch_base(ctx, case), major=True, escalation=True)
        _, no = led.allocate("报", d.year, d.isoformat(), case["id"])
        row = {
            "case_id": case["id"],
            "no": no,
            "approver": approver,
            "suggestion": suggestion,
            "escalated_on": d.isoformat(),
            "limit_due": limit.isoformat(),
            "late": int(is_late(ctx.cal, limit, d)),
            "instruction": instruction,
        }
        row["id"] = led.db["escalations"].insert(row).last_pk
        led.db["cases"].update(case["id"], {"state": "escalated"})
        led.event(case["id"], d.isoformat(), "escalate", ctx.actor, after=row)
    return {"case": case, **row}


def _end(ctx: Ctx, case: dict, act: str, d: date, **fields: object) -> None:
    nxt = states.check(act, case["state"])
    update = {"state": nxt, "ended_on": d.isoformat(), **fields}
    before = {k: case[k] for k in update}
    ctx.ledger.db["cases"].update(case["id"], update)
    ctx.ledger.event(case["id"], d.isoformat(), act, ctx.actor, before=before, after=update)


def forward(ctx: Ctx, ref: str, *, dept: str, note: str = "", on: str | None = None) -> dict:
    with ctx.ledger.write():
        case = resolve(ctx, ref)
        states.check("forward", case["state"])
        if not case["consult"]:
            raise LcqyError(
                "该案件不是咨询类问题，应走交办程序（lcqy dispatch）；"
                "如确属咨询，先更正：lcqy edit CASE --field consult --value 是。"
            )
        dept = require_active_dept(ctx, dept, "职能部门（--dept）")
        d = _intake_step(ctx, case, on)
        _end(ctx, case, "forward", d, forward_dept=dept, end_note=validate.optional_text("说明（--note）", note))
    return record({"case": case, "dept": dept, "on": d.isoformat()})


def reject(ctx: Ctx, ref: str, *, reason: str, note: str = "", on: str | None = None) -> dict:
    reason = validate.choice("不予受理理由（--reason）", reason, REJECT_REASONS)
    note = validate.optional_text("说明（--note）", note)
    if reason == "其他" and not note:
        raise LcqyError("理由为“其他”时须用 --note 写明具体原因。")
    with ctx.ledger.write():
        case = resolve(ctx, ref)
        states.check("reject", case["state"])
        d = _intake_step(ctx, case, on)
        _end(ctx, case, "reject", d, end_reason=reason, end_note=note)
    return record({"case": case, "reason": reason, "on": d.isoformat()})


def return_(ctx: Ctx, ref: str, *, reason: str, on: str | None = None) -> dict:
    """退单: the lead department says the matter is not its competence."""
    reason = validate.required_text("退单理由（--reason）", reason)
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        states.check("return", case["state"])
        if case["supervision"] == "special":
            # Under 专项督办 the case is answered already: it is handed on, not back to intake.
            raise LcqyError(
                "该案件在专项督办中（已答复后重新交办）；承办单位不合适的，请改交另一部门：lcqy redispatch。"
            )
        disp = active_dispatch(ctx, case["id"])
        d = step_date(ctx, on, "交办日期", disp["dispatched_on"])
        led.db["dispatches"].update(
            disp["id"], {"status": "returned", "returned_on": d.isoformat(), "return_reason": reason}
        )
        # The case awaits a new dispatch: its limit now runs from the 退单.
        due = dispatch_due(ctx.cal, d, major=bool(case["major"]))
        led.db["cases"].update(
            case["id"],
            {
                "state": "registered",
                "dispatch_due": due.isoformat(),
                "dispatch_due_estimated": int(ctx.cal.is_estimate(due)),
            },
        )
        led.event(
            case["id"], d.isoformat(), "return", ctx.actor, dispatch=disp["no"], dept=disp["lead_dept"], reason=reason
        )
        count = led.db.execute(
            "SELECT count(*) FROM dispatches WHERE case_id = ? AND status = 'returned'", [case["id"]]
        ).fetchone()[0]
    return record(
        {"case": case, "dispatch": disp["no"], "dept": disp["lead_dept"], "returns": count, "on": d.isoformat()}
    )


def extend(ctx: Ctx, ref: str, *, until: str, reason: str, override_reason: str = "", on: str | None = None) -> dict:
    reason = validate.required_text("延期理由（--reason）", reason)
    new_due = validate.parse_date("延期后的办结时限（--until）", until)
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        states.check("extend", case["state"])
        disp = active_dispatch(ctx, case["id"])
        d = step_date(ctx, on, "交办日期", disp["dispatched_on"])
        cal = ctx.cal
        if new_due <= date.fromisoformat(disp["due_current"]):
            raise LcqyError(f"延期后的办结时限 {new_due} 须晚于当前时限 {disp['due_current']}。")
        if not cal.is_workday(new_due):
            raise LcqyError(
                f"延期后的办结时限 {new_due} 是休息日，请选工作日（其后第一个工作日是 {next_workday(cal, new_due)}）。"
            )
        cap = extension_limit(cal, date.fromisoformat(disp["received_on"]), disp["tier"])
        if new_due > cap and not override_reason.strip():
            span = extension_span(disp["tier"])
            raise LcqyError(
                f"第十六条：{disp['tier']}问题延期最长至收到交办单后{span}，即 {cap}；"
                f"超出须用 --override-reason 写明特殊理由（将记录并在统计中列出）。"
            )
        update = {
            "due_current": new_due.isoformat(),
            "due_estimated": int(cal.is_estimate(new_due)),
            "extend_reason": reason,
            "override_reason": override_reason.strip() if new_due > cap else "",
        }
        led.db["dispatches"].update(disp["id"], update)
        prior = {k: disp[k] for k in update}  # what undo puts back
        led.event(case["id"], d.isoformat(), "extend", ctx.actor, before=disp["due_current"], after=update, prior=prior)
    return record(
        {
            "case": case,
            "dispatch": disp["no"],
            "due_original": disp["due_original"],
            "due_before": disp["due_current"],
            **update,
            "cap": cap.isoformat(),
        }
    )
