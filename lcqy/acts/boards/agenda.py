"""The clerk's morning list: every open case that needs her today, in one section each, worst
section first, each with the next command to run (第十二至十八条)."""

from __future__ import annotations

import heapq
import sqlite3
from datetime import date

from lcqy.acts.boards.supervised import supervised_cases
from lcqy.acts.context import Ctx
from lcqy.rules import states
from lcqy.rules.workdays import add_month, workdays_between

SOON = 2  # working days ahead that count as "coming due"
URGED_RECENTLY = 3  # working days after an urge before the case is chased again
RETURNS_TO_ESCALATE = 2  # 退单 by this many county departments: the county may not be able to solve it

# key -> title, worst first
SECTIONS: dict[str, str] = {
    "urge_expired": "催办函、督办函限期已过，仍未答复",
    "late_not_urged": f"超期未答复，近{URGED_RECENTLY}个工作日未催办",
    "supervision": "督办台帐、专项督办：到期、逾期或待定时限",
    "dept_requests": "部门网上申请（延期、退单）待审核",
    "online": "网上反映超过1个工作日未核实处理",
    "enterprise_added": "企业在网上补充的情况和材料（上一个工作日以来）",
    "to_dispatch": "待交办：交办时限已到或已过",
    "to_escalate": f"待转报：已有{RETURNS_TO_ESCALATE}个部门退单",
    "escalation_waiting": "转报市级满1个月，未见结果",
    "meeting": "待专题会议研究",
    "unsigned": "交办单超过1个工作日未签收（网上）",
    "due_soon": f"{SOON}个工作日内到期",
    "followup": "已答复，待回访企业",
    "ready_close": "可以销号",
}

OPEN_SQL = """
SELECT c.id, c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.state, c.supervision,
       c.dispatch_due, c.dispatch_due_estimated,
       d.id AS dispatch_id, d.lead_dept, d.due_current, d.due_estimated,
       e.escalated_on, e.no AS escalate_no,
       r.id AS reply_id, r.result, r.replied_on,
       f.reply_id AS followup_reply, f.satisfaction, f.incomplete,
       u.urged_on, u.reply_by, u.dispatch_id AS urge_dispatch, u.due AS urge_due,
       (SELECT count(*) FROM dispatches x WHERE x.case_id = c.id AND x.status = 'returned') AS returns
FROM cases c
LEFT JOIN dispatches d ON d.id = (
    SELECT id FROM dispatches WHERE case_id = c.id AND status = 'active' ORDER BY id DESC LIMIT 1)
LEFT JOIN escalations e ON e.id = (SELECT max(id) FROM escalations WHERE case_id = c.id)
LEFT JOIN replies r ON r.id = (SELECT max(id) FROM replies WHERE case_id = c.id)
LEFT JOIN followups f ON f.id = (SELECT max(id) FROM followups WHERE case_id = c.id)
LEFT JOIN urges u ON u.id = (SELECT max(id) FROM urges WHERE case_id = c.id)
WHERE c.state IN ('registered', 'meeting', 'dispatched', 'escalated', 'replied')
"""  # no ORDER BY: each section is ordered by its own key, which names the case


def agenda(ctx: Ctx, *, as_of: date, limit: int | None = None) -> list[dict]:
    """The sections in order, each {key, title, count, items}; every open case at most once, in
    the worst section it belongs to. `limit`: items given per section (count is still all)."""
    cal = ctx.cal
    county = ctx.ledger.level == "county"
    due_again = {r["id"]: r for r in supervised_cases(ctx, as_of=as_of)}
    # An item is kept as (order, row, note, command, due, late) and made a record only if shown:
    # at 100,000 cases the sections hold tens of thousands of items and show a few.
    found: dict[str, list[tuple]] = {k: [] for k in SECTIONS}

    def ref(r) -> str:
        return str(r["reg_seq"]) if r["reg_year"] == as_of.year else f"{r['reg_year']}-{r['reg_seq']}"

    def add(key: str, r, note: str, cmd: str, due: str | None = None, late: int = 0) -> None:
        found[key].append(((-late, due or "9999", r["reg_year"], r["reg_seq"]), r, note, cmd, due, late))

    def record(r, note: str, cmd: str, due: str | None, late: int) -> dict:
        return {
            "case": f"{r['reg_year']}-{r['reg_seq']}",
            "reg_no": r["reg_no"],
            "enterprise": r["enterprise"],
            "lead_dept": r["lead_dept"] or "",
            "due": due,
            "days_late": late,
            "note": note,
            "next": cmd.format(n=ref(r)),
        }

    def chase(r, due: str, key_late: str, what: str) -> bool:
        """A late case: its urge letter expired, or not urged lately. True if it was placed."""
        late = workdays_between(cal, date.fromisoformat(due), as_of)
        if late == 0:
            return False
        urged = r["urged_on"] and r["urge_dispatch"] == r["dispatch_id"] and (r["urge_due"] or due) == due
        if urged and r["reply_by"] < as_of.isoformat():
            add("urge_expired", r, f"{what}超期{late}个工作日，{r['reply_by'][5:]}限期已过", "lcqy urge {n}", due, late)
        elif not urged or workdays_between(cal, date.fromisoformat(r["urged_on"]), as_of) >= URGED_RECENTLY:
            add(key_late, r, f"{what}超期{late}个工作日", "lcqy urge {n}", due, late)
        return True

    rows = ctx.ledger.conn.cursor()
    rows.row_factory = sqlite3.Row  # read by name without a dict per case
    for r in rows.execute(OPEN_SQL):
        state = r["state"]
        if state == "registered":
            due = date.fromisoformat(r["dispatch_due"])
            if county and r["returns"] >= RETURNS_TO_ESCALATE:
                add(
                    "to_escalate",
                    r,
                    f"{r['returns']}个部门退单，县级难以解决",
                    "lcqy escalate {n} --approver 组长 --suggestion 建议",
                )
            elif due <= as_of:
                late = workdays_between(cal, due, as_of)
                note = f"时限{str(due)[5:]}" + (f"，已过{late}个工作日" if late else "，今天到期")
                add(
                    "to_dispatch",
                    r,
                    note,
                    "lcqy dispatch {n} --dept 部门 --approver 领导 --level 主任",
                    str(due),
                    late,
                )
            elif workdays_between(cal, as_of, due) <= SOON:
                add(
                    "due_soon",
                    r,
                    f"交办时限 {due}",
                    "lcqy dispatch {n} --dept 部门 --approver 领导 --level 主任",
                    str(due),
                )
        elif state == "meeting":
            add("meeting", r, "待主要领导研究", "lcqy dispatch {n} --level 专题会议 --dept 部门 --approver 领导")
        elif state == "escalated":
            since = date.fromisoformat(r["escalated_on"])
            if as_of >= add_month(since):
                add(
                    "escalation_waiting",
                    r,
                    f"{since} 转报，已逾1个月",
                    "lcqy receive 市级结果包.lcqy（或 lcqy reply {n} …）",
                )
        elif state == "dispatched":
            due = r["due_current"]
            what = "专项督办" if r["supervision"] == "special" else ""
            if (
                not chase(r, due, "late_not_urged", what)
                and workdays_between(cal, as_of, date.fromisoformat(due)) <= SOON
            ):
                add(
                    "due_soon",
                    r,
                    f"办结时限 {due}",
                    "lcqy reply {n} --result A|B|C --mode 书面 --summary 情况",
                    due,
                )
        elif state == "replied":
            _answered(r, due_again.get(r["id"]), add, chase)
    from lcqy.acts.boards.departments import agenda_items  # the online platform's requests and 签收

    for key, r, note, cmd, due, late in agenda_items(ctx, as_of):
        add(key, r, note, cmd, due, late)
    out = []
    for key, title in SECTIONS.items():
        if key in ("online", "enterprise_added"):  # the enterprises' side: acts/boards/tracking
            from lcqy.acts.boards import tracking

            section = tracking.agenda_section if key == "online" else tracking.added_section
            out.append(section(ctx, as_of, key, title, limit))
            continue
        kept = found[key]
        # Worst first: most days late, then the earliest due date, then the registration number.
        shown = heapq.nsmallest(limit, kept, key=_order) if limit is not None else sorted(kept, key=_order)
        items = [record(*item[1:]) for item in shown]
        out.append({"key": key, "title": title, "count": len(kept), "items": items})
    return out


def _order(item: tuple) -> tuple:
    return item[0]


def _answered(r, sup: dict | None, add, chase) -> None:

    rep = {"id": r["reply_id"], "result": r["result"]}
    fol = None
    if r["followup_reply"] is not None:
        fol = {"reply_id": r["followup_reply"], "satisfaction": r["satisfaction"], "incomplete": r["incomplete"]}
    if not states.close_blockers(rep, fol):
        add("ready_close", r, f"A类答复，企业{r['satisfaction']}", "lcqy close {n}")
        return
    followed = fol is not None and fol["reply_id"] == rep["id"]
    if sup is not None:
        if sup["due"]:
            kind = sup["kind"]
            if chase(r, sup["due"], "supervision", kind):
                return
            if sup["days_to_due"] <= SOON:
                add(
                    "supervision",
                    r,
                    f"{kind}，{sup['due']} 到期",
                    "lcqy reply {n} --result A|B|C --mode 书面 --summary 情况",
                    sup["due"],
                )
                return
        elif r["supervision"] == "special" and followed:
            add("supervision", r, "专项督办，尚未定新的办理时限", "lcqy supervise {n} --until 日期 --reason 理由")
            return
    if not followed:
        add(
            "followup",
            r,
            f"{r['result']}类答复 {r['replied_on']}",
            "lcqy followup {n} --method 电话回询 --satisfaction 满意",
        )
