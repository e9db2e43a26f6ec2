"""The read side of supervision (第十八条): which answered cases under 督办台帐 or 专项督办 are
due again, and when, for `agenda` and the overdue board. Apart from lcqy.acts.supervision (the
acts) so that reading commands load no act code."""

from __future__ import annotations

import json
from datetime import date

from lcqy.acts.context import Ctx
from lcqy.rules.constants import SUPERVISION
from lcqy.rules.workdays import workdays_between


def supervision_due(rep: dict | None, sup: dict | None) -> tuple[str | None, str]:
    """The date a supervised, answered case is due again, and what set it: a 专项督办 deadline
    set after the latest reply ("supervise"), else the latest reply's plan date ("plan")."""
    if rep is None:
        return None, ""
    if sup is not None and sup["reply_id"] == rep["id"]:
        return sup["due"], "supervise"
    if rep.get("plan_due"):
        return rep["plan_due"], "plan"
    return None, ""


# supervision_due in SQL, over the latest supervision `s` and the latest reply's id and plan date
# (DUE_AGAIN_SQL: its row `r`; the agenda today: as kept on the case, migration 31).
DUE_AGAIN = "CASE WHEN s.reply_id = {reply} THEN s.due ELSE {plan_due} END"
DUE_AGAIN_SQL = DUE_AGAIN.format(reply="r.id", plan_due="r.plan_due")

_LATEST = """
FROM cases c
JOIN replies r ON r.id = (SELECT max(id) FROM replies WHERE case_id = c.id)
LEFT JOIN supervisions s ON s.id = (SELECT max(id) FROM supervisions WHERE case_id = c.id)
LEFT JOIN dispatches d ON d.id = (
    SELECT id FROM dispatches WHERE case_id = c.id AND status = 'active' ORDER BY id DESC LIMIT 1)
WHERE c.state = 'replied' AND c.supervision != ''
"""

SUPERVISED_SQL = f"""
SELECT c.id, c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.category, c.state, c.supervision,
       r.id AS reply_id, r.result, r.replied_on, r.plan_due,
       s.reply_id AS sup_reply_id, s.due AS sup_due, s.due_estimated AS sup_estimated,
       d.lead_dept, d.assist,
       (SELECT count(*) FROM urges u WHERE u.case_id = c.id AND u.kind != '催办') AS supervise_urges,
       c.prior_urges + (SELECT count(*) FROM urges u WHERE u.case_id = c.id) AS urge_count,
       (SELECT max(urged_on) FROM urges u WHERE u.case_id = c.id AND u.kind != '催办'
            AND u.urged_on >= r.replied_on) AS last_urged,
       (SELECT reply_by FROM urges u WHERE u.case_id = c.id ORDER BY u.id DESC LIMIT 1) AS last_reply_by
{_LATEST}
ORDER BY c.reg_year, c.reg_seq
"""


def _due_estimated(ctx: Ctx, r: dict, due: str | None, source: str) -> bool:
    if source == "supervise":
        return bool(r["sup_estimated"])
    return bool(due) and ctx.cal.is_estimate(date.fromisoformat(due))


def _in_dept(r: dict, dept: str | None) -> bool:
    return not dept or dept == r["lead_dept"] or dept in (json.loads(r["assist"]) if r["assist"] else [])


def supervised_cases(ctx: Ctx, *, as_of: date, dept: str | None = None) -> list[dict]:
    """Every answered case under 督办台帐 or 专项督办, with the date it is due again (or None)
    and the working days it is late by as of `as_of`."""
    out = []
    for r in ctx.ledger.rows(SUPERVISED_SQL):  # no sqlite-utils on a read path
        if not _in_dept(r, dept):
            continue
        rep = {"id": r["reply_id"], "plan_due": r["plan_due"]}
        sup = {"reply_id": r["sup_reply_id"], "due": r["sup_due"]} if r["sup_due"] else None
        due, source = supervision_due(rep, sup)
        r["due"], r["due_source"] = due, source
        r["due_estimated"] = _due_estimated(ctx, r, due, source)
        r["days_late"] = workdays_between(ctx.cal, date.fromisoformat(due), as_of) if due else 0
        r["days_to_due"] = workdays_between(ctx.cal, as_of, date.fromisoformat(due)) if due else None
        r["kind"] = SUPERVISION[r["supervision"]]
        out.append(r)
    return out
