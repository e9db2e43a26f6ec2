"""The department's side of the online platform, read only (第八条): its cases with the 三色
deadlines, its figures, the requests awaiting the clerk, and what `show` and `agenda` add for
the online acts (lcqy.acts.online). Reads only: `agenda` uses it."""

from __future__ import annotations

from datetime import date

from lcqy.acts.context import Ctx
from lcqy.rules.figures import fmt_rate, rate
from lcqy.rules.workdays import workdays_between

REQUEST_KINDS = {"extension": "申请延期", "return": "申请退单"}
REQUEST_STATUS = {"pending": "待审核", "granted": "已同意", "declined": "未同意"}
SOON = 2  # blue: due within this many working days


def requests(ctx: Ctx, *, pending_only: bool = True) -> list[dict]:
    where = "WHERE q.status = 'pending'" if pending_only else ""
    sql = f"""SELECT q.*, c.reg_no, c.reg_year, c.reg_seq, c.enterprise, d.no AS dispatch_no, d.due_current,
                     d.signed_on
              FROM dept_requests q JOIN cases c ON c.id = q.case_id JOIN dispatches d ON d.id = q.dispatch_id
              {where} ORDER BY q.id"""
    out = []
    for r in ctx.ledger.rows(sql):
        n = f"{r['reg_year']}-{r['reg_seq']}"
        r["case"] = n
        r["kind_label"] = REQUEST_KINDS[r["kind"]]
        r["status_label"] = REQUEST_STATUS[r["status"]]
        r["grant"] = f"lcqy request grant {r['id']}"
        r["deny"] = f"lcqy request deny {r['id']} --reason 理由"
        out.append(r)
    return out


# -- the department's list ---------------------------------------------------------------------

# Most cases were never urged nor answered under 督办: their rows skip those look-ups
# (cases.urges_now is kept by migration 16's triggers).
_CASES_SQL = """
SELECT c.id, c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.category, c.state, c.supervision,
       d.id AS dispatch_id, d.no AS dispatch_no, d.lead_dept, d.due_current, d.due_estimated, d.signed_on,
       dd.role, dd.active,
       r.plan_due, r.id AS reply_id, r.result,
       s.due AS sup_due, s.reply_id AS sup_reply,
       CASE WHEN c.urges_now > 0 THEN
           (SELECT max(urged_on) FROM urges u WHERE u.case_id = c.id AND u.dispatch_id = d.id) END AS last_urged,
       CASE WHEN c.urges_now > 0 THEN
           (SELECT count(*) FROM urges u WHERE u.case_id = c.id AND u.dispatch_id = d.id
            AND NOT EXISTS (SELECT 1 FROM urge_reads q WHERE q.urge_id = u.id AND q.dept = d.lead_dept))
       ELSE 0 END AS unread
FROM dispatch_depts dd
JOIN dispatches d ON d.id = dd.dispatch_id
JOIN cases c ON c.id = dd.case_id
LEFT JOIN replies r ON c.state != 'dispatched' AND r.id = (SELECT max(id) FROM replies WHERE case_id = c.id)
LEFT JOIN supervisions s ON c.supervision != '' AND s.id = (SELECT max(id) FROM supervisions WHERE case_id = c.id)
WHERE dd.dept = :dept AND dd.active = 1 {extra}
"""

COLOURS = {"red": "红色：超期且被催办，或专项督办", "yellow": "黄色：已超期", "blue": "蓝色：2个工作日内到期", "": ""}


def case_due(r: dict) -> str | None:
    """The date the department works to now: the dispatch's limit before the reply, the plan
    date or the 专项督办 deadline after it (第十八条); None once nothing is awaited."""
    if r["state"] == "dispatched":
        return r["due_current"]
    if r["state"] == "replied" and r["supervision"]:
        if r["sup_reply"] is not None and r["sup_reply"] == r["reply_id"]:
            return r["sup_due"]
        return r["plan_due"]
    return None


def colour(ctx: Ctx, r: dict, as_of: date) -> dict:
    """三色督办 on the office's working-day calendar: blue (due within 2 working days), yellow
    (late), red (late and urged since it fell due, or under 专项督办)."""
    due = case_due(r)
    late = left = None
    c = ""
    if due:
        d = date.fromisoformat(due)
        late = workdays_between(ctx.cal, d, as_of)
        if late:
            urged = bool(r["last_urged"]) and r["last_urged"] > due
            c = "red" if urged else "yellow"
        else:
            left = workdays_between(ctx.cal, as_of, d)
            c = "blue" if left <= SOON else ""
    if r["supervision"] == "special" and r["state"] in ("dispatched", "replied"):
        c = "red"
    return {"due": due, "days_late": late or 0, "days_left": left, "colour": c}


_RANK = {"red": 0, "yellow": 1, "blue": 2, "": 3}


def dept_ranked(ctx: Ctx, dept: str, *, as_of: date, open_only: bool = True, cases=None) -> dict[int, tuple]:
    """case id -> (rank, row, colour) for each of the department's cases (or only those of `cases`):
    red, yellow (most days late first), blue, then the rest by due date; answered and closed
    cases (nothing awaited) last, newest first. Rows are kept as tuples (`ROW_NAMES`): a
    department may have thousands of cases, and the web layer keeps them between requests."""
    import json as _json
    import sqlite3

    # Open for the department: awaiting its reply, or answered under 督办 (due again).
    extra = "AND (c.state = 'dispatched' OR (c.state = 'replied' AND c.supervision != ''))" if open_only else ""
    if cases is not None:
        extra += " AND dd.case_id IN (SELECT value FROM json_each(:ids))"
    cur = ctx.ledger.conn.cursor()
    cur.row_factory = sqlite3.Row
    seen: dict[tuple, dict] = {}  # the colour of each distinct (state, dates, urged): few of them
    out = {}
    for r in cur.execute(_CASES_SQL.format(extra=extra), {"dept": dept, "ids": _json.dumps(list(cases or []))}):
        key = (r["state"], r["supervision"], r["due_current"], r["plan_due"], r["sup_due"],
               r["sup_reply"] == r["reply_id"], r["last_urged"])  # fmt: skip
        c = seen.get(key)
        if c is None:
            c = seen[key] = colour(ctx, r, as_of)
        rank = (_RANK[c["colour"]], -c["days_late"], c["due"] is None, c["due"] or "", -r["reg_year"], -r["reg_seq"])
        out[r["id"]] = (rank, tuple(r), c)
    return out


# The columns of _CASES_SQL, in order (checked against the query in the tests).
ROW_NAMES = ["id", "reg_year", "reg_seq", "reg_no", "enterprise", "category", "state", "supervision", "dispatch_id",
             "dispatch_no", "lead_dept", "due_current", "due_estimated", "signed_on", "role", "active", "plan_due",
             "reply_id", "result", "sup_due", "sup_reply", "last_urged", "unread"]  # fmt: skip


def top(items: dict[int, tuple], limit: int) -> list[dict]:
    """The `limit` most urgent of dept_ranked's items, as records."""
    import heapq

    out = []
    for _, row, c in heapq.nsmallest(limit, items.values(), key=lambda i: i[0]):
        r = {**dict(zip(ROW_NAMES, row)), **c}
        r["case"] = f"{r['reg_year']}-{r['reg_seq']}"
        r["colour_label"] = COLOURS[r["colour"]]
        r["total"] = len(items)
        out.append(r)
    return out


def dept_cases(ctx: Ctx, dept: str, *, as_of: date, open_only: bool = True, limit: int = 200) -> list[dict]:
    """The department's cases, most urgent first (see dept_ranked)."""
    return top(dept_ranked(ctx, dept, as_of=as_of, open_only=open_only), limit)


def dept_changes(ctx: Ctx, dept: str, since: int) -> set[int] | None:
    """The department's cases touched by an act after event `since`; None when something touched
    the office as a whole (its calendar, its settings: events without a case)."""
    rows = ctx.ledger.conn.execute(
        """SELECT DISTINCT e.case_id FROM events e WHERE e.id > :since AND (e.case_id IS NULL OR EXISTS
               (SELECT 1 FROM dispatch_depts dd WHERE dd.case_id = e.case_id AND dd.dept = :dept))""",
        {"since": since, "dept": dept},
    ).fetchall()
    ids = {r[0] for r in rows}
    return None if None in ids else ids


def dept_figures(ctx: Ctx, dept: str, *, year: int, as_of: date) -> dict:
    """The department's own figures this year (as lead): cases, replied on time, satisfaction."""
    sql = """
    SELECT count(DISTINCT d.case_id) AS cases,
           count(DISTINCT CASE WHEN c.state IN ('dispatched', 'replied') THEN d.case_id END) AS open,
           count(DISTINCT CASE WHEN r.id IS NOT NULL THEN d.case_id END) AS replied,
           count(DISTINCT CASE WHEN r.id IS NOT NULL AND r.late = 0 THEN d.case_id END) AS on_time,
           count(DISTINCT CASE WHEN c.state = 'dispatched' AND d.due_current < :today THEN d.case_id END) AS late_open
    FROM dispatches d JOIN cases c ON c.id = d.case_id
    LEFT JOIN replies r ON r.id = (SELECT min(id) FROM replies WHERE dispatch_id = d.id)
    WHERE d.lead_dept = :dept AND d.status = 'active' AND substr(d.dispatched_on, 1, 4) = :year
    """
    f = next(ctx.ledger.rows(sql, {"dept": dept, "year": str(year), "today": as_of.isoformat()}))
    sat = ctx.ledger.conn.execute(
        """SELECT count(*), sum(f.satisfaction IN ('满意', '基本满意')) FROM followups f
           JOIN replies r ON r.id = f.reply_id JOIN dispatches d ON d.id = r.dispatch_id
           WHERE d.lead_dept = ? AND substr(d.dispatched_on, 1, 4) = ?""",
        [dept, str(year)],
    ).fetchone()

    f["followups"], f["satisfied"] = sat[0], sat[1] or 0
    f["on_time_rate"] = fmt_rate(rate(f["on_time"], f["replied"]))
    f["satisfaction_rate"] = fmt_rate(rate(f["satisfied"], f["followups"]))
    f["year"] = year
    return f


def show_extras(ctx: Ctx, case_id: int) -> dict:
    """What `show` adds for the online side: 签收, requests, notes, urges read."""
    led = ctx.ledger
    if "dept_requests" not in led.table_names():
        return {}
    return {
        "receipts": list(led.rows(
            "SELECT no, lead_dept, signed_on, signed_by FROM dispatches WHERE case_id = ? AND signed_on IS NOT NULL "
            "ORDER BY id", [case_id])),
        "requests": [
            {**q, "kind_label": REQUEST_KINDS[q["kind"]], "status_label": REQUEST_STATUS[q["status"]]}
            for q in led.rows("SELECT * FROM dept_requests WHERE case_id = ? ORDER BY id", [case_id])
        ],
        "notes": list(led.rows("SELECT dept, text, noted_on, noted_by FROM dept_notes WHERE case_id = ? ORDER BY id",
                               [case_id])),
        "urge_reads": list(led.rows(
            "SELECT r.urge_id, r.dept, r.read_at, r.read_by, u.letter_no, u.urged_on FROM urge_reads r "
            "JOIN urges u ON u.id = r.urge_id WHERE u.case_id = ? ORDER BY r.read_at", [case_id])),
    }  # fmt: skip


def agenda_items(ctx: Ctx, as_of: date) -> list[tuple]:
    """For `agenda`: requests awaiting the clerk, and dispatches to departments that work on
    line not signed for (签收) after one working day. (section, row, note, command, due, late)."""
    led = ctx.ledger
    if "dept_requests" not in led.table_names():
        return []
    out = []
    for q in requests(ctx):
        what = f"申请延期至 {q['until']}" if q["kind"] == "extension" else "申请退单"
        note = f"第{q['id']}号：{q['dept']} {what}：{q['reason']}；不同意：{q['deny']}"
        row = {**q, "lead_dept": q["dept"]}
        out.append(("dept_requests", row, note, q["grant"], q["until"], 0))
    # From the dispatches not signed for of the departments on line (migration 19's index):
    # none or a few, where reading the dispatched cases first would read them all.
    sql = """SELECT c.reg_year, c.reg_seq, c.reg_no, c.enterprise, d.lead_dept, d.received_on
             FROM dispatches d CROSS JOIN cases c ON c.id = d.case_id
             WHERE d.status = 'active' AND d.signed_on IS NULL AND c.state = 'dispatched'
               AND d.received_on < ? AND d.lead_dept IN
                   (SELECT dept FROM users WHERE role = 'dept' AND NOT disabled)"""
    for r in led.rows(sql, [as_of.isoformat()]):
        late = workdays_between(ctx.cal, date.fromisoformat(r["received_on"]), as_of)
        if late > 1:
            out.append(
                ("unsigned", r, f"{r['received_on']} 交办，{r['lead_dept']} 尚未签收", "lcqy show {n}", None, late - 1)
            )
    return out


def version(ctx: Ctx) -> int:
    """The ledger's latest event: every act writes one, so an unchanged number is an unchanged ledger."""
    return ctx.ledger.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
