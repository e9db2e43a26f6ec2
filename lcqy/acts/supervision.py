"""Supervision after the first reply (第十八条): the 督办台帐 of B/C plans, 专项督办 with its
new deadlines and re-dispatch, and the late 督办 cases for `overdue` and `agenda`."""

from __future__ import annotations

from datetime import date

from lcqy.acts.boards.supervised import supervision_due
from lcqy.acts.cases import active_dispatch, latest, resolve
from lcqy.acts.common import step_date
from lcqy.acts.context import Ctx
from lcqy.acts.dispatch import dispatch_departments, insert_dispatch
from lcqy.errors import LcqyError
from lcqy.rules import states, validate
from lcqy.rules.constants import APPROVAL_LEVELS, SUPERVISION, TIERS
from lcqy.rules.deadlines import check_approval, dispatch_due
from lcqy.rules.workdays import next_workday

MEASURES = "《临沧市企业反映困难问题收集和办理工作办法（试行）》（临政办发〔2021〕21号）"

# The urge kinds: a plain 催办 before the first reply, a 督办 under one of the two marks.
URGE_KIND = {"": "催办", "ledger": "督办台帐", "special": "专项督办"}


def letter_title(kind: str) -> str:
    return "催办函" if kind == "催办" else "督办函"


def urge_basis(kind: str) -> str:
    """The sentence of the letter that cites 第十八条 and the supervision the case is under."""
    if kind == "督办台帐":
        return (
            f"根据{MEASURES}第十八条，对一时难以办结的困难问题建立督办台帐、持续紧盯督办，"
            "该问题已列入督办台帐，须按承诺的时限办结，直到问题销号解决。"
        )
    if kind == "专项督办":
        return (
            f"根据{MEASURES}第十八条，对问题办理不彻底、答复不规范、内容含糊不清和企业不满意的实行专项督办，"
            "该问题已列入专项督办，须重新办理并答复，直至问题解决、企业满意。"
        )
    return f"根据{MEASURES}第十八条，对未按时办结的交办问题下发催办函，督促承办单位加快办理进度。"


def case_supervision_due(ctx: Ctx, case: dict) -> tuple[str | None, str]:
    if case["state"] != "replied" or not case["supervision"]:
        return None, ""
    return supervision_due(latest(ctx, "replies", case["id"]), latest(ctx, "supervisions", case["id"]))


def supervise(ctx: Ctx, ref: str, *, until: str, reason: str, on: str | None = None) -> dict:
    """专项督办: a new deadline by which the department must answer again."""
    reason = validate.required_text("督办理由（--reason）", reason)
    due = validate.parse_date("新的办理时限（--until）", until)
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        states.check("supervise", case["state"])
        if case["supervision"] != "special":
            now = SUPERVISION[case["supervision"]] or "不在督办中"
            hint = (
                "督办台帐案件的时限是答复承诺的日期：记录新的答复（lcqy reply --result B --plan-due 日期）。"
                if case["supervision"] == "ledger"
                else "企业回访不满意或办理不彻底的才列入专项督办（lcqy followup … --satisfaction 不满意）。"
            )
            raise LcqyError(f"该案件{now}，不能设定专项督办时限。{hint}")
        rep = latest(ctx, "replies", case["id"])
        fol = latest(ctx, "followups", case["id"])
        after = max(rep["replied_on"], fol["followed_on"]) if fol else rep["replied_on"]
        d = step_date(ctx, on, "答复或回访日期", after)
        if due <= d:
            raise LcqyError(f"新的办理时限（--until）{due} 须晚于督办日期 {d}。")
        if not ctx.cal.is_workday(due):
            nxt = next_workday(ctx.cal, due)
            raise LcqyError(f"新的办理时限（--until）{due} 是休息日，请选工作日（其后第一个工作日是 {nxt}）。")
        before = latest(ctx, "supervisions", case["id"])
        row = {
            "case_id": case["id"],
            "reply_id": rep["id"],
            "set_on": d.isoformat(),
            "due": due.isoformat(),
            "due_estimated": int(ctx.cal.is_estimate(due)),
            "reason": reason,
        }
        row["id"] = led.db["supervisions"].insert(row).last_pk
        led.event(case["id"], d.isoformat(), "supervise", ctx.actor, before=before and before["due"], after=row)
    return {"case": case, **row}


def redispatch(
    ctx: Ctx,
    ref: str,
    *,
    lead: str,
    assist: list[str],
    approver: str,
    level: str,
    reason: str,
    tier: str = "一般",
    received: str | None = None,
    on: str | None = None,
) -> dict:
    """专项督办: the answering department is not the right unit; hand the case to another one
    under a new 交办编号. The old dispatch stays in the ledger, marked as replaced."""
    level = validate.choice("审批层级（--level）", level, APPROVAL_LEVELS[:3])
    tier = validate.choice("办理类别（--tier）", tier, TIERS)
    approver = validate.required_text("签批领导（--approver）", approver, 50)
    reason = validate.required_text("重新交办理由（--reason）", reason)
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        states.check("redispatch", case["state"])
        if case["supervision"] != "special":
            raise LcqyError(
                "只有专项督办的案件才能重新交办给另一部门（第十八条）；"
                "尚未答复的案件由部门退单（lcqy return）后再交办。"
            )
        old = active_dispatch(ctx, case["id"])
        if old is None:
            raise LcqyError("该案件没有交办单（转报市级的案件由市级办理），不能重新交办。")
        lead, assist = dispatch_departments(ctx, lead, assist)
        if lead == old["lead_dept"]:
            raise LcqyError(
                f"“{lead}”就是原牵头部门；要它重新办理请设定新的时限：lcqy supervise CASE --until 日期 --reason …"
            )
        check_approval(level, assist=bool(assist), major=bool(case["major"]), tier=tier)
        fol = latest(ctx, "followups", case["id"])
        rep = latest(ctx, "replies", case["id"])
        start = max(fol["followed_on"], rep["replied_on"]) if fol else rep["replied_on"]
        d = step_date(ctx, on, "答复或回访日期", max(start, old["dispatched_on"]))
        got = step_date(ctx, received, "交办日期", d, label="收到日期（--received）") if received else d
        major = bool(case["major"]) or tier == "重大"
        # The dispatch limit runs from the act that put the case under 专项督办.
        limit = dispatch_due(ctx.cal, date.fromisoformat(start), major=major, has_assist=bool(assist))
        led.db["dispatches"].update(
            old["id"], {"status": "replaced", "returned_on": d.isoformat(), "return_reason": reason}
        )
        row = insert_dispatch(
            ctx,
            case,
            lead=lead,
            assist=assist,
            approver=approver,
            level=level,
            tier=tier,
            on=d,
            received=got,
            limit=limit,
            late=d > limit,
        )
        before = {"state": case["state"], "major": case["major"]}
        led.db["cases"].update(case["id"], {"state": "dispatched", "major": int(major)})
        led.event(
            case["id"],
            d.isoformat(),
            "redispatch",
            ctx.actor,
            before=before,
            after=row,
            replaced=old["no"],
            old_dept=old["lead_dept"],
            reason=reason,
        )
    return {"case": case, **row, "assist": assist, "replaced": old["no"], "old_dept": old["lead_dept"]}
