"""Reading the ledger: the list and the rows of the Excel ledger (the overdue board is in overdue.py).

Built for 100,000 cases: SQL filters and orders on indexed columns (cases.due_open and the
trigram index of migration 4), rows are streamed, and the working-day arithmetic is done once
per distinct date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

from lcqy.acts.common import require_dept
from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.constants import CATEGORIES, CHANNELS, STATES, SUPERVISION
from lcqy.rules.lateness import days_late
from lcqy.rules.states import OPEN_STATES

# The case's active dispatch (the latest one not returned).
ACTIVE_DISPATCH = "d.id = (SELECT max(id) FROM dispatches WHERE case_id = c.id AND status = 'active')"
URGE_COUNT = "c.prior_urges + (SELECT count(*) FROM urges u WHERE u.case_id = c.id)"

LEDGER_SQL = f"""
SELECT c.*,
       d.no AS dispatch_no, d.lead_dept, d.assist, d.due_original, d.due_current, d.due_estimated,
       d.dispatched_on, d.received_on, d.tier, d.level, d.approver, d.late AS dispatch_late,
       e.no AS escalate_no, e.escalated_on, e.limit_due AS escalate_limit, e.late AS escalate_late,
       e.approver AS escalate_approver, m.reg_no AS merged_into_no,
       r.result, r.replied_on, r.late AS reply_late,
       (SELECT late FROM replies WHERE case_id = c.id ORDER BY id LIMIT 1) AS first_reply_late,
       f.satisfaction, f.followed_on,
       {URGE_COUNT} AS urge_count,
       (SELECT count(*) FROM dispatches x WHERE x.case_id = c.id AND x.status = 'returned') AS return_count
FROM cases c
LEFT JOIN dispatches d ON {ACTIVE_DISPATCH}
LEFT JOIN escalations e ON e.id = (SELECT max(id) FROM escalations WHERE case_id = c.id)
LEFT JOIN replies r ON r.id = (SELECT max(id) FROM replies WHERE case_id = c.id)
LEFT JOIN followups f ON f.id = (SELECT max(id) FROM followups WHERE case_id = c.id)
LEFT JOIN cases m ON m.id = c.merged_into
"""

# What `list` shows and prints as JSON: a lighter join than the Excel ledger's. The 催办 count, the
# active dispatch's department, number, cooperating departments and limit, and the latest reply's
# result and follow-up's satisfaction are kept on the case (migrations 16 and 22): no look-up for
# them. The dispatch is joined for a department filter (DEPT_MATCH) only: SQLite leaves out a join
# of which nothing is read.
LIST_SQL = f"""
SELECT c.id, c.reg_no, c.reg_year, c.reg_seq, c.enterprise, c.category, c.channel, c.accepted_on,
       c.state, c.supervision, c.due_open, c.due_open_estimated,
       c.dispatch_no_now AS dispatch_no, c.lead_now AS lead_dept, c.assist_now AS assist,
       c.due_current_now AS due_current, c.result_now AS result, c.satisfaction_now AS satisfaction,
       c.urges_now AS urge_count
FROM cases c
LEFT JOIN dispatches d ON {ACTIVE_DISPATCH}
"""


def label_sql(column: str, labels: dict[str, str]) -> str:
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in labels.items())
    return f"CASE {column} {whens} END"


# `list --json`: each record is built by SQLite itself (json_object), so that a 100,000-case
# listing costs the query and the writing, not a Python dict and an encoder per case.
LIST_JSON = {
    "reg_no": "c.reg_no",
    "reg_year": "c.reg_year",
    "reg_seq": "c.reg_seq",
    "enterprise": "c.enterprise",
    "category": "c.category",
    "channel": "c.channel",
    "accepted_on": "c.accepted_on",
    "state": "c.state",
    "state_label": label_sql("c.state", STATES),
    "supervision_label": label_sql("c.supervision", SUPERVISION),
    "lead_dept": "c.lead_now",
    # json() of a constant is worked out once; of each row's text, once a row: not for the most
    # common list, none, whose json() is that constant's.
    "assist": "iif(c.assist_now IS NULL OR c.assist_now = '[]', json('[]'), json(c.assist_now))",
    "dispatch_no": "c.dispatch_no_now",
    "due_current": "c.due_current_now",
    "result": "c.result_now",
    "satisfaction": "c.satisfaction_now",
    "urge_count": "c.urges_now",
    # the limit an open case works to now (the dispatch limit before dispatch)
    "due": "c.due_open",
    "due_estimated": "iif(c.due_open IS NOT NULL AND c.due_open_estimated, json('true'), json('false'))",
}
# As UTF-8 bytes: what is printed, so Python neither decodes nor encodes it.
_LIST_JSON_SQL = (
    "SELECT CAST(json_object("
    + ", ".join(f"'{k}', {v}" for k, v in LIST_JSON.items())
    + ") AS BLOB) AS record"
    + LIST_SQL[LIST_SQL.index("\nFROM cases c") :]
)

# A department leads the active dispatch or cooperates on it (assist is a JSON list).
DEPT_MATCH = "(d.lead_dept = :dept OR EXISTS (SELECT 1 FROM json_each(d.assist) WHERE json_each.value = :dept))"


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
    open_only: bool = False  # only cases still being handled (not ended)


def _state_key(label: str) -> str:
    for k, v in STATES.items():
        if label in (k, v):
            return k
    raise LcqyError(f"状态“{label}”不在可选范围内，可选：{'、'.join(STATES.values())}。")


def like_pattern(text: str) -> str:
    """A LIKE pattern (ESCAPE '\\') that finds `text` literally: % and _ are not wildcards."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _text_clause(text: str) -> tuple[str, dict]:
    """Cases whose enterprise, problem or request contains `text`.

    Three characters or more: the trigram index (a phrase query is a substring match there);
    shorter: a scan with LIKE, which the trigram index cannot serve.
    """
    if len(text) >= 3:
        phrase = '"' + text.replace('"', '""') + '"'
        return "c.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH :fts)", {"fts": phrase}
    cols = ("c.enterprise", "c.problem", "c.request")
    if not any("A" <= ch <= "Z" or "a" <= ch <= "z" for ch in text):
        # Without a Latin letter LIKE's case folding has nothing to fold: the same cases as a
        # plain substring search, which instr does at a fraction of LIKE's cost (1,000,000 rows).
        return "(" + " OR ".join(f"instr({c}, :sub)" for c in cols) + ")", {"sub": text}
    return "(" + " OR ".join(f"{c} LIKE :like ESCAPE '\\'" for c in cols) + ")", {"like": like_pattern(text)}


def _where(ctx: Ctx, f: Filters, *, count: bool = False) -> tuple[list[str], dict]:
    where: list[str] = []
    params: dict = {}
    if f.dept:
        require_dept(ctx, f.dept, "部门（--dept）")
        where.append(DEPT_MATCH)
        params["dept"] = f.dept
    if f.year is not None:
        where.append("c.reg_year = :year")
        params["year"] = validate.year("年度（--year）", f.year)
    if f.category:
        where.append("c.category = :category")
        params["category"] = validate.choice("问题类别（--category）", f.category, CATEGORIES)
    if f.channel:
        where.append("c.channel = :channel")
        params["channel"] = validate.choice("反映形式（--channel）", f.channel, CHANNELS)
    if f.state:
        where.append("c.state = :state")
        params["state"] = _state_key(f.state)
    elif f.open_only:
        # Unary + keeps SQLite off the state index, so that it walks the registration order (and
        # stops after a page) instead of sorting every open case; the count uses the index, but
        # for a short text, which reads every row anyway: once in file order, not state by state.
        scan = bool(f.text) and len(f.text) < 3
        where.append(f"{'' if count and not scan else '+'}c.state IN ({', '.join(repr(s) for s in OPEN_STATES)})")
    if f.supervision:
        key = next((k for k, v in SUPERVISION.items() if k and f.supervision in (k, v)), None)
        if key is None:
            raise LcqyError("督办类别（--supervision）只能是：督办台帐、专项督办。")
        where.append("c.supervision = :supervision")
        params["supervision"] = key
    if f.text:
        clause, more = _text_clause(f.text)
        where.append(clause)
        params.update(more)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise LcqyError(f"受理时间起（--from）{f.date_from} 晚于止（--to）{f.date_to}，请对调。")
    if f.date_from:
        where.append("c.accepted_on >= :date_from")
        params["date_from"] = f.date_from.isoformat()
    if f.date_to:
        where.append("c.accepted_on <= :date_to")
        params["date_to"] = f.date_to.isoformat()
    return where, params


def _sql(base: str, where: list[str]) -> str:
    return base + (" WHERE " + " AND ".join(where) if where else "")


def _labelled(rows: Iterable[dict]) -> Iterator[dict]:
    for r in rows:
        r["assist"] = json.loads(r["assist"]) if r["assist"] else []
        r["state_label"] = STATES[r["state"]]
        r["supervision_label"] = SUPERVISION[r["supervision"]]
        yield r


def iter_ledger_rows(ctx: Ctx, f: Filters | None = None) -> Iterator[dict]:
    """The ledger joined with each case's latest dispatch, escalation, reply and follow-up;
    streamed, so that a 100,000-case export does not hold every row."""
    where, params = _where(ctx, f or Filters())
    sql = _sql(LEDGER_SQL, where) + " ORDER BY c.reg_year, c.reg_seq"
    return _labelled(ctx.ledger.rows(sql, params))


def _every_case(sql: str) -> str:
    """`sql` (over `cases c`, unfiltered) reading the cases in number order from migration 29's
    index of the listed columns: SQLite's planner would take the unique index on (reg_year,
    reg_seq) and look each case up in the table."""
    return sql.replace("\nFROM cases c\n", "\nFROM cases c INDEXED BY cases_listed\n", 1)


def iter_list_rows(ctx: Ctx, f: Filters) -> Iterator[dict]:
    """`list`: every matching case in registration order, streamed."""
    where, params = _where(ctx, f)
    sql = _sql(LIST_SQL if where else _every_case(LIST_SQL), where) + " ORDER BY c.reg_year, c.reg_seq"
    return _labelled(ctx.ledger.rows(sql, params))


def iter_list_json(ctx: Ctx, f: Filters, limit: int | None = None) -> Iterator[bytes]:
    """The rows of iter_list_rows (or of list_page's page) as JSON records (UTF-8), one a case."""
    where, params = _where(ctx, f)
    if limit is None:
        sql = _sql(_LIST_JSON_SQL if where else _every_case(_LIST_JSON_SQL), where) + " ORDER BY c.reg_year, c.reg_seq"
    else:
        page = _sql(_LIST_JSON_SQL.replace("AS record", "AS record, c.reg_year, c.reg_seq"), where)
        latest = f"{page} ORDER BY c.reg_year DESC, c.reg_seq DESC LIMIT :limit"
        sql = f"SELECT record FROM ({latest}) ORDER BY reg_year, reg_seq"
        params["limit"] = _limit(limit)
    return map(itemgetter(0), ctx.ledger.conn.execute(sql, params))


def _limit(limit: int) -> int:
    if limit < 1:
        raise LcqyError("显示件数（--limit）须为正整数。")
    return limit


def list_page(ctx: Ctx, f: Filters, limit: int) -> tuple[int, list[dict]]:
    """(how many cases match, the latest `limit` of them in registration order)."""
    _limit(limit)
    where, params = _where(ctx, f, count=True)
    count_sql = _sql("SELECT count(*) FROM cases c", where)
    if f.dept:  # the department is on the active dispatch
        count_sql = _sql(f"SELECT count(*) FROM cases c LEFT JOIN dispatches d ON {ACTIVE_DISPATCH}", where)
    total = ctx.ledger.conn.execute(count_sql, params).fetchone()[0]
    where, params = _where(ctx, f)
    sql = _sql(LIST_SQL, where) + " ORDER BY c.reg_year DESC, c.reg_seq DESC LIMIT :limit"
    rows = list(_labelled(ctx.ledger.rows(sql, {**params, "limit": limit})))
    rows.reverse()
    return total, rows


def open_due(row: dict) -> tuple[str | None, bool]:
    """The limit an open case is working to: the dispatch limit before dispatch, the handling
    limit while dispatched; (None, False) otherwise (cases.due_open, kept by migration 4)."""
    if "due_open" in row:
        return row["due_open"], bool(row["due_open"] and row["due_open_estimated"])
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
        # how late the 转报 itself was (lcqy.rules.lateness), not how long the city takes
        due = date.fromisoformat(row["escalate_limit"])
        return "转报超期", due, days_late(ctx.cal, due, date.fromisoformat(row["escalated_on"])), False
    text, estimated = open_due(row)
    if text is None:
        return "", None, 0, False
    due = date.fromisoformat(text)
    return STATES[state], due, days_late(ctx.cal, due, None, as_of), estimated


# -- the overdue board ----------------------------------------------------------------------
