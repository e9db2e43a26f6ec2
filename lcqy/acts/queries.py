"""Reading the ledger: the list, the overdue board, the rows of the Excel ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.constants import CATEGORIES, CHANNELS, STATES, SUPERVISION
from lcqy.rules.workdays import workdays_between

LEDGER_SQL = """
SELECT c.*,
       d.no AS dispatch_no, d.lead_dept, d.assist, d.due_original, d.due_current, d.due_estimated,
       d.dispatched_on, d.received_on, d.tier, d.level, d.approver, d.late AS dispatch_late,
       e.no AS escalate_no, e.escalated_on, e.limit_due AS escalate_limit, e.late AS escalate_late,
       e.approver AS escalate_approver, m.reg_no AS merged_into_no,
       r.result, r.replied_on, r.late AS reply_late,
       (SELECT late FROM replies WHERE case_id = c.id ORDER BY id LIMIT 1) AS first_reply_late,
       f.satisfaction, f.followed_on,
       c.prior_urges + (SELECT count(*) FROM urges u WHERE u.case_id = c.id) AS urge_count,
       (SELECT count(*) FROM dispatches x WHERE x.case_id = c.id AND x.status = 'returned') AS return_count
FROM cases c
LEFT JOIN dispatches d ON d.id = (
    SELECT id FROM dispatches WHERE case_id = c.id AND status = 'active' ORDER BY id DESC LIMIT 1)
LEFT JOIN escalations e ON e.id = (SELECT max(id) FROM escalations WHERE case_id = c.id)
LEFT JOIN replies r ON r.id = (SELECT max(id) FROM replies WHERE case_id = c.id)
LEFT JOIN followups f ON f.id = (SELECT max(id) FROM followups WHERE case_id = c.id)
LEFT JOIN cases m ON m.id = c.merged_into
"""


@dataclass
class Filters:
    year: int | None = None
    category: str | None = None
    state: str | None = None
    channel: str | None = None
    text: str | None = None
    dept: str | None = None
    supervision: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _state_key(label: str) -> str:
    for k, v in STATES.items():
        if label in (k, v):
            return k
    raise LcqyError(f"状态“{label}”不在可选范围内，可选：{'、'.join(STATES.values())}。")


def ledger_rows(ctx: Ctx, f: Filters | None = None) -> list[dict]:
    return list(iter_ledger_rows(ctx, f))


def iter_ledger_rows(ctx: Ctx, f: Filters | None = None) -> Iterator[dict]:
    """The ledger joined with each case's latest dispatch, escalation, reply and follow-up;
    streamed, so that a 100,000-case export does not hold every row."""
    f = f or Filters()
    if f.dept:
        from lcqy.acts.common import require_dept

        require_dept(ctx, f.dept, "部门（--dept）")
    where, params = [], []
    if f.year is not None:
        where.append("c.reg_year = ?")
        params.append(validate.year("年度（--year）", f.year))
    if f.category:
        where.append("c.category = ?")
        params.append(validate.choice("问题类别（--category）", f.category, CATEGORIES))
    if f.channel:
        where.append("c.channel = ?")
        params.append(validate.choice("反映形式（--channel）", f.channel, CHANNELS))
    if f.state:
        where.append("c.state = ?")
        params.append(_state_key(f.state))
    if f.supervision:
        key = next((k for k, v in SUPERVISION.items() if k and f.supervision in (k, v)), None)
        if key is None:
            raise LcqyError("督办类别（--supervision）只能是：督办台帐、专项督办。")
        where.append("c.supervision = ?")
        params.append(key)
    if f.text:
        where.append("(c.enterprise LIKE ? OR c.problem LIKE ? OR c.request LIKE ?)")
        params += [f"%{f.text}%"] * 3
    if f.date_from:
        where.append("c.accepted_on >= ?")
        params.append(f.date_from.isoformat())
    if f.date_to:
        where.append("c.accepted_on <= ?")
        params.append(f.date_to.isoformat())
    sql = LEDGER_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY c.reg_year, c.reg_seq"
    for r in ctx.ledger.db.query(sql, params):
        r["assist"] = json.loads(r["assist"]) if r["assist"] else []
        if f.dept and f.dept != r["lead_dept"] and f.dept not in r["assist"]:
            continue
        r["state_label"] = STATES[r["state"]]
        r["supervision_label"] = SUPERVISION[r["supervision"]]
        yield r


def open_due(row: dict) -> tuple[str | None, bool]:
    """The limit an open case is working to: the dispatch limit before dispatch, the handling
    limit while dispatched; (None, False) otherwise."""
    if row["state"] == "registered":
        return row["dispatch_due"], bool(row["dispatch_due_estimated"])
    if row["state"] == "dispatched":
        return row["due_current"], bool(row["due_estimated"])
    return None, False


def late_days(ctx: Ctx, row: dict, as_of: date) -> tuple[str, date | None, int, bool]:
    """(kind, due date, working days late, estimated) of an open case as of a day.

    kind: 待交办 (dispatch limit), 办理中 (handling limit), 转报超期, 待专题会议, or "" (nothing due).
    """
    state = row["state"]
    if state == "meeting":
        return "待专题会议", None, 0, False
    if state == "escalated" and row["escalate_late"]:
        due = date.fromisoformat(row["escalate_limit"])
        return "转报超期", due, workdays_between(ctx.cal, due, date.fromisoformat(row["escalated_on"])), False
    text, estimated = open_due(row)
    if text is None:
        return "", None, 0, False
    due = date.fromisoformat(text)
    return STATES[state], due, workdays_between(ctx.cal, due, as_of), estimated


def overdue(ctx: Ctx, *, as_of: date, dept: str | None = None, within: int = 1) -> list[dict]:
    if within < 0:
        raise LcqyError("--within 须为不小于0的工作日数。")
    out = []
    for r in ledger_rows(ctx, Filters(dept=dept)):
        kind, due, late, est = late_days(ctx, r, as_of)
        if not kind:
            continue
        if kind == "待专题会议":
            status = "waiting"
        elif late > 0:
            status = "late"
        elif due is not None and workdays_between(ctx.cal, as_of, due) <= within:
            status = "soon"
        else:
            continue
        out.append(
            {
                "case": f"{r['reg_year']}-{r['reg_seq']}",
                "reg_no": r["reg_no"],
                "enterprise": r["enterprise"],
                "category": r["category"],
                "lead_dept": r["lead_dept"] or "",
                "kind": kind,
                "due": due.isoformat() if due else None,
                "due_estimated": est,
                "days_late": late,
                "urge_count": r["urge_count"],
                "status": status,
                "state": r["state_label"],
            }
        )
    rank = {"late": 0, "soon": 1, "waiting": 2}
    out.sort(key=lambda x: (rank[x["status"]], -x["days_late"], x["due"] or "9999", x["case"]))
    return out
