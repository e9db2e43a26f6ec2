"""After dispatch: reply, follow-up, close, urge (第十七、十八条); and corrections."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from lcqy.acts.boards.supervised import supervision_due
from lcqy.acts.cases import active_dispatch, case_urges, dispatch_urge_count, latest, resolve
from lcqy.acts.common import set_supervision, step_date
from lcqy.acts.context import Ctx
from lcqy.acts.dispatch import dispatch_base
from lcqy.acts.intake.merging import follow_merge, move_duplicates
from lcqy.acts.intake.register import EDITABLE, FIELDS, clean_field
from lcqy.errors import LcqyError
from lcqy.rules import states, validate
from lcqy.rules.constants import FOLLOWUP_METHODS, REPLY_MODES, RESULTS, SATISFACTION, STATES, SUPERVISION
from lcqy.rules.deadlines import dispatch_due
from lcqy.rules.letters import URGE_KIND
from lcqy.rules.workdays import add_workdays, workdays_between

URGE_REPLY_DAYS = 3  # working days a 催办函 gives the department to answer


def case_supervision_due(ctx: Ctx, case: dict) -> tuple[str | None, str]:
    if case["state"] != "replied" or not case["supervision"]:
        return None, ""
    return supervision_due(latest(ctx, "replies", case["id"]), latest(ctx, "supervisions", case["id"]))


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
        due, _ = case_supervision_due(ctx, case)
        if disp and case["state"] == "dispatched" and (prev is None or prev["dispatch_id"] != disp["id"]):
            due = disp["due_current"]
        late = workdays_between(ctx.cal, date.fromisoformat(due), d) if due else 0
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
    return {"case": case, **row}


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
) -> dict:
    method = validate.choice("回访方式（--method）", method, FOLLOWUP_METHODS)
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
    return {"case": case, **row, "supervision": case["supervision"], "cleared": cleared}


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
        led.event(case["id"], d.isoformat(), "close", ctx.actor, before=before, after={"state": "closed"})
    return {"case": case, "on": d.isoformat()}


def urge(
    ctx: Ctx, ref: str, *, note: str = "", on: str | None = None, then: Callable[[dict], object] | None = None
) -> dict:
    """Record a 催办. `then(result)` runs inside the same transaction (the 催办函 is written
    there), so that an urge whose letter cannot be written is not recorded either."""
    led = ctx.ledger
    note = validate.optional_text("说明（--note）", note)
    with led.write():
        case = resolve(ctx, ref)
        states.check("urge", case["state"])
        disp = active_dispatch(ctx, case["id"])
        if disp is None:
            raise LcqyError("该案件没有正在办理的交办单，无从催办。")
        kind = URGE_KIND[case["supervision"]]  # 催办, or a 督办 under the case's mark
        due, what = disp["due_current"], "办结时限"
        if case["state"] == "replied":
            due, source = case_supervision_due(ctx, case)
            what = "督办时限" if source == "supervise" else "承诺完成日期"
            if not case["supervision"]:
                raise LcqyError("该案件已答复，且不在督办台帐或专项督办中，不需催办；请回访企业（lcqy followup）。")
            if due is None:
                hint = (
                    "先用 lcqy supervise CASE --until 日期 --reason … 设定重新办理的时限"
                    if case["supervision"] == "special"
                    else "答复没有承诺完成日期"
                )
                raise LcqyError(f"该案件在{kind}中，但没有待答复的时限，无从督办：{hint}。")
        last = latest(ctx, "urges", case["id"])
        start = max(last["urged_on"], disp["dispatched_on"]) if last else disp["dispatched_on"]
        d = step_date(ctx, on, "交办或上次催办日期", start)
        late = workdays_between(ctx.cal, date.fromisoformat(due), d)
        if late == 0:
            raise LcqyError(
                f"该案件{what}为 {due}，到 {d} 尚未超期，不需{'督办' if kind != '催办' else '催办'}"
                "（第十八条：对未按时办结的催办）。"
            )
        reply_by = add_workdays(ctx.cal, d, URGE_REPLY_DAYS)
        row = {
            "case_id": case["id"],
            "dispatch_id": disp["id"],
            "urged_on": d.isoformat(),
            "days_late": late,
            "reply_by": reply_by.isoformat(),
            "note": note,
            "kind": kind,
            "due": due,
        }
        row["id"] = led.db["urges"].insert(row).last_pk
        count = dispatch_urge_count(case, disp, case_urges(ctx, case["id"]), kind=kind)
        led.event(case["id"], d.isoformat(), "urge", ctx.actor, after=row, count=count)
        result = {"case": case, "dispatch": disp, **row, "count": count}
        result["letter"] = then(result) if then else None
    return result


def merge(ctx: Ctx, ref: str, *, into: str, on: str | None = None) -> dict:
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        target = follow_merge(ctx, resolve(ctx, into))
        if target["id"] == case["id"]:
            raise LcqyError("不能把案件合并到它自己。")
        if target["state"] in states.TERMINAL:
            raise LcqyError(
                f"目标案件 {target['reg_no']} 状态为“{STATES[target['state']]}”，已经办结；请合并到仍在办理的案件，"
                "或把新反映作为新案件交办。"
            )
        nxt = states.check("merge", case["state"])
        d = step_date(ctx, on, "两件的受理时间", max(case["accepted_on"], target["accepted_on"]))
        led.db["cases"].update(case["id"], {"state": nxt, "merged_into": target["id"], "ended_on": d.isoformat()})
        led.event(case["id"], d.isoformat(), "merge", ctx.actor, into=target["reg_no"])
        led.event(target["id"], d.isoformat(), "merged-from", ctx.actor, duplicate=case["reg_no"])
        move_duplicates(ctx, case, target, d.isoformat())
    return {"case": case, "into": target}


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
    return {"case": case, "reason": reason}


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
    return {"case": case, "field": key, "label": names[key], "before": shown(case[key]), "after": shown(new)}
