"""After dispatch: reply, follow-up, close (第十七、十八条)."""

from __future__ import annotations

from datetime import date

from lcqy.acts.cases import active_dispatch, latest, resolve
from lcqy.acts.common import record, set_supervision, step_date
from lcqy.acts.context import Ctx
from lcqy.acts.supervision import case_supervision_due
from lcqy.errors import LcqyError
from lcqy.rules import states, validate
from lcqy.rules.constants import FOLLOWUP_METHODS, ONLINE_METHOD, REPLY_MODES, RESULTS, SATISFACTION, SUPERVISION
from lcqy.rules.lateness import overdue_label, reply_days_late, reply_limit


def reply(
    ctx: Ctx,
    ref: str,
    *,
    result: str,
    mode: str,
    summary: str,
    doc_no: str = "",
    plan: str = "",
    plan_due: str | None = None,
    again: bool = False,
    on: str | None = None,
) -> dict:
    result = validate.choice("办理结果（--result）", (result or "").upper(), RESULTS)
    mode = validate.choice("答复方式（--mode）", mode, REPLY_MODES)
    summary = validate.required_text("办理情况（--summary）", summary)
    plan = validate.optional_text("措施和时限或说明（--plan）", plan)
    if result in ("B", "C") and not plan:
        what = "今后逐步解决的措施和时限" if result == "B" else "向企业所做的说明和解释"
        raise LcqyError(f"{result}类结果须用 --plan 写明{what}（第十六条）。")
    promised = validate.parse_date("计划完成日期（--plan-due）", plan_due) if plan_due else None
    if result == "B" and promised is None:
        raise LcqyError("B类结果须用 --plan-due 写明承诺的完成日期：到期未办结的，督办台帐按超期督办（第十八条）。")
    if result == "A" and promised is not None:
        raise LcqyError("A类结果（已解决或基本解决）不需要计划完成日期（--plan-due 只用于B类、C类）。")
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        states.check("reply", case["state"])
        disp = active_dispatch(ctx, case["id"]) if case["state"] != "escalated" else None
        prev = latest(ctx, "replies", case["id"])
        esc = latest(ctx, "escalations", case["id"])
        after = prev["replied_on"] if prev else (disp["dispatched_on"] if disp else esc["escalated_on"])
        if disp and disp["dispatched_on"] > after:  # re-dispatched after the last reply
            after = disp["dispatched_on"]
        d = step_date(ctx, on, "上一步日期", after)
        if promised is not None and promised <= d:
            raise LcqyError(f"计划完成日期（--plan-due）{promised} 须晚于答复日期 {d}。")
        # 超期办结: working days the first reply to a dispatch came after its limit (0 = on time);
        # a reply awaited under 督办 is measured against the plan date or the 专项督办 deadline.
        due, kind = case_supervision_due(ctx, case)
        first = bool(disp and case["state"] == "dispatched" and (prev is None or prev["dispatch_id"] != disp["id"]))
        limit = reply_limit(
            first_to_dispatch=first,
            dispatch_due=date.fromisoformat(disp["due_current"]) if first else None,
            supervision_due=date.fromisoformat(due) if due else None,
            supervision_kind=kind,
        )
        late = reply_days_late(ctx.cal, limit, d)
        row = {
            "case_id": case["id"],
            "dispatch_id": disp["id"] if disp else None,
            "result": result,
            "mode": mode,
            "summary": summary,
            "doc_no": validate.optional_text("文号（--doc-no）", doc_no, 100),
            "plan": plan,
            "replied_on": d.isoformat(),
            "late": late,
            "plan_due": promised.isoformat() if promised else None,
        }
        if not again and prev and _same(prev, row, ("result", "mode", "summary", "doc_no", "plan", "plan_due")):
            raise LcqyError(
                f"{prev['replied_on']} 已记录过一条内容相同的{result}类答复。确是又一次答复请加 --again；"
                "误录的请用 lcqy undo 撤销。"
            )
        row["id"] = led.db["replies"].insert(row).last_pk
        led.db["cases"].update(case["id"], {"state": "replied"})
        led.event(
            case["id"],
            d.isoformat(),
            "reply",
            ctx.actor,
            before=prev and prev["result"],
            after=row,
            state_before=case["state"],
        )
        if result in ("B", "C"):
            set_supervision(ctx, case, "ledger", d, f"{result}类答复，列入督办台帐")
    return record({"case": case, **row, "overdue": overdue_label(limit, late)})


def _same(prev: dict, row: dict, keys: tuple[str, ...]) -> bool:
    """A second entry of the same act on the same day: most likely typed twice."""
    day = "replied_on" if "replied_on" in row else "followed_on"
    return prev[day] == row[day] and all(prev[k] == row[k] for k in keys)


def followup(
    ctx: Ctx,
    ref: str,
    *,
    method: str,
    satisfaction: str,
    incomplete: bool = False,
    note: str = "",
    again: bool = False,
    on: str | None = None,
    online: bool = False,
) -> dict:
    # 网上评价 is the enterprise's own rating (acts/intake/submissions.py), not the clerk's to enter.
    methods = (*FOLLOWUP_METHODS, ONLINE_METHOD) if online else FOLLOWUP_METHODS
    method = validate.choice("回访方式（--method）", method, methods)
    satisfaction = validate.choice("满意度（--satisfaction）", satisfaction, SATISFACTION)
    note = validate.optional_text("说明（--note）", note)
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        states.check("followup", case["state"])
        rep = latest(ctx, "replies", case["id"])
        last = latest(ctx, "followups", case["id"])
        prev = max(rep["replied_on"], last["followed_on"]) if last else rep["replied_on"]
        d = step_date(ctx, on, "答复或上次回访日期", prev)
        row = {
            "case_id": case["id"],
            "reply_id": rep["id"],
            "method": method,
            "satisfaction": satisfaction,
            "incomplete": int(incomplete),
            "note": note,
            "followed_on": d.isoformat(),
        }
        if not again and last and _same(last, row, ("reply_id", "method", "satisfaction", "incomplete", "note")):
            raise LcqyError(
                f"{last['followed_on']} 已记录过一次相同的回访（{method}，{satisfaction}）。"
                "确是又一次回访请加 --again；误录的请用 lcqy undo 撤销。"
            )
        row["id"] = led.db["followups"].insert(row).last_pk
        led.event(case["id"], d.isoformat(), "followup", ctx.actor, after=row)
        cleared = ""
        if satisfaction == "不满意" or incomplete:
            set_supervision(
                ctx, case, "special", d, "企业不满意" if satisfaction == "不满意" else "办理不彻底或答复不规范"
            )
        elif case["supervision"] and rep["result"] == "A":
            # 第十八条: solved and the enterprise satisfied ends the 督办; the case may be 销号.
            cleared = SUPERVISION[case["supervision"]]
            set_supervision(ctx, case, "", d, f"A类答复且企业{satisfaction}，解除{cleared}")
    return record({"case": case, **row, "supervision": case["supervision"], "cleared": cleared})


def close(ctx: Ctx, ref: str, *, on: str | None = None) -> dict:
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        states.check("close", case["state"])
        rep = latest(ctx, "replies", case["id"])
        fol = latest(ctx, "followups", case["id"])
        missing = states.close_blockers(rep, fol)
        if missing:
            raise LcqyError("不能销号：" + "；".join(missing) + "。")
        d = step_date(ctx, on, "回访日期", fol["followed_on"])
        before = {"state": case["state"], "supervision": case["supervision"]}
        led.db["cases"].update(case["id"], {"state": "closed", "ended_on": d.isoformat(), "supervision": ""})
        # the follow-up's own word (满意 or 基本满意) goes into the 销号 record
        sat = fol["satisfaction"]
        led.event(
            case["id"], d.isoformat(), "close", ctx.actor, before=before, after={"state": "closed"}, satisfaction=sat
        )
    return record({"case": case, "on": d.isoformat(), "satisfaction": sat})
