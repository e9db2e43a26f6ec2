"""Supervision (第十八条): an urge with its 催办函 or 督办函; after the first reply, the 督办台帐 of B/C
plans and 专项督办 with its new deadlines and re-dispatch. (Which supervised cases are due again is
read in lcqy.acts.boards.supervised.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from lcqy.acts.boards.supervised import supervision_due
from lcqy.acts.cases import active_dispatch, case_urges, dispatch_urge_count, latest, resolve
from lcqy.acts.common import record, step_date
from lcqy.acts.context import Ctx
from lcqy.acts.dispatch import dispatch_departments, issue_dispatch
from lcqy.acts.papers.forms import prepare, template_dir
from lcqy.acts.papers.letters import recover_letter
from lcqy.errors import LcqyError
from lcqy.rules import states, validate
from lcqy.rules.constants import APPROVAL_LEVELS, SUPERVISION, TIERS
from lcqy.rules.deadlines import check_approval
from lcqy.rules.letters import URGE_KIND
from lcqy.rules.numbering import letter_kind
from lcqy.rules.workdays import add_workdays, next_workday, workdays_between
from lcqy.store import outputs

URGE_REPLY_DAYS = 3  # working days a 催办函 gives the department to answer


def case_supervision_due(ctx: Ctx, case: dict) -> tuple[str | None, str]:
    if case["state"] != "replied" or not case["supervision"]:
        return None, ""
    return supervision_due(latest(ctx, "replies", case["id"]), latest(ctx, "supervisions", case["id"]))


def urge(
    ctx: Ctx, ref: str, *, note: str = "", on: str | None = None, then: Callable[[dict], object] | None = None
) -> dict:
    """Record a 催办. `then(result)` runs inside the same transaction (the 催办函 is written
    there), so that an urge whose letter cannot be written is not recorded either; it is given
    the case and dispatch rows, which the returned record names by their numbers only."""
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
    # the dispatch urged and its lead unit, by number and name (the row is the caller's only)
    return record({**result, "dispatch": disp["no"], "lead_dept": disp["lead_dept"]})


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
    return record({"case": case, **row})


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
        led.db["dispatches"].update(
            old["id"], {"status": "replaced", "returned_on": d.isoformat(), "return_reason": reason}
        )
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
            # The dispatch limit runs from the act that put the case under 专项督办.
            base=date.fromisoformat(start),
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
    return record({"case": case, **row, "assist": assist, "replaced": old["no"], "old_dept": old["lead_dept"]})


def urge_with_letter(
    ctx: Ctx,
    ref: str,
    *,
    note: str = "",
    on: str | None = None,
    letter: bool = True,
    output: str | None = None,
    force: bool = False,
    templates: str | None = None,
) -> dict:
    """Record an urge (第十八条) and write its 催办函, all or nothing: the letter is filled and
    put in place inside the urge's transaction, so a letter that cannot be written refuses the
    urge, and a refused urge brings back any file it replaced."""
    from lcqy.docs.render import preload

    if letter:  # the template is read and checked before the urge takes the write lock
        recover_letter(ctx, ref, output, templates)
        preload("urge", template_dir(ctx, templates))
    def letter_for(r: dict) -> str | None:
        # The letter's number is issued inside the urge's transaction (BEGIN IMMEDIATE, the
        # counter of its series), so a refused urge (or a letter that cannot be written) leaves
        # no gap in the sequence; a 督办 takes the 督 series, a 催办 the 催.
        led = ctx.ledger
        year = int(r["urged_on"][:4])
        _, number = led.allocate(letter_kind(r["kind"]), year, r["urged_on"], r["case"]["id"])
        led.db.execute("UPDATE urges SET letter_no = ? WHERE id = ?", [number, r["id"]])
        r["letter_no"] = number
        if not letter:
            return None
        tmp, final = prepare(ctx, "urge", r["case"]["reg_no"], output, force, templates)
        # In place before the urge commits: a letter that cannot be put there (Excel/WPS holds
        # the old one open) refuses the urge, so no urge is recorded without its letter.
        try:
            put(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        return str(final)

    # `letter_for` runs inside the urge's transaction with this `put`: a refused urge brings
    # back any letter it replaced; the replaced one goes once the urge has committed.
    with outputs.placing() as put:
        return urge(ctx, ref, note=note, on=on, then=letter_for)
