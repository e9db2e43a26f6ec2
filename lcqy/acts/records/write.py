"""The writing half of import-ledger: checked rows into the ledger, inside the one write
transaction, in batches.

A row becomes a case, its numbers, an import event and, as the sheet shows them, a dispatch or
an escalation, a reply and a follow-up. Row ids and number counters are worked out here rather
than read back after each INSERT: nothing else writes while the transaction holds the lock, so
the next id of a table is its largest plus one, which is what SQLite itself would give. Each
table's rows then go in with one executemany per batch (cases before what refers to them), and
the ledger ends exactly as row-by-row inserts would leave it.

The insert triggers of migrations 4, 13, 14 and 16 (the open due date, the trigram search index,
the rows noted for `check`, the report's spans, the lead department and 催办 count on the case)
are the one part left: fired row by row they took two thirds of the writing time, the index
alone 2 s of 3 at 10,000 rows. While the transaction lasts they are set aside and their work is
done once over the new rows (the same statements, for every new id at once: the index filled by
one INSERT … SELECT), then they are put back as they were; only when their text is still their
migration's, so a later change to them is never skipped.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from lcqy.acts.context import Ctx
from lcqy.acts.intake.register import FIELDS
from lcqy.acts.records.rows import Row
from lcqy.rules.deadlines import dispatch_due, handling_due
from lcqy.rules.lateness import is_late
from lcqy.rules.numbering import format_number
from lcqy.rules.workdays import add_workdays, one_month_limit, workdays_between
from lcqy.store import schema
from lcqy.store.db import now_text
from lcqy.store.migrations import sql_of
from lcqy.store.migrations.m021_submissions import CODE_SQL
from lcqy.store.migrations.m022_list_latest import LATEST_ACTS, LEAD
from lcqy.store.migrations.m023_agenda_answered import ESCALATED
from lcqy.store.migrations.m024_figures_dept_order import FOLLOWUP_KEYS, REPLY_KEYS, SPAN_KEYS
from lcqy.store.migrations.m027_figure_days import import_replays

BATCH = 2000  # rows per executemany round: memory stays small, statements few
# An import at least this large, into a ledger no larger than it, sets the tables' own indexes
# aside and builds them again at the end: at 100,000 rows building them took 3 s, keeping them
# up to date row by row 6 s more. (The UNIQUE constraints stay: they are the backstop.)
REINDEX_ROWS = 5000

_CASE_TEXT = tuple(k for k in FIELDS if k not in ("reported_on", "accepted_on"))
# Inserted in this order: a row may refer only to rows of tables before it.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "cases": (
        "id", *_CASE_TEXT, "reported_on", "accepted_on", "state", "dispatch_due", "dispatch_due_estimated",
        "supervision", "prior_urges", "created_at", "major", "consult", "ended_on", "reg_no", "reg_year", "reg_seq",
    ),
    "numbers": ("id", "kind", "year", "seq", "text", "case_id", "issued_on", "voided"),
    "events": ("id", "case_id", "at", "act_on", "actor", "action", "detail"),
    "escalations": ("id", "case_id", "no", "approver", "suggestion", "escalated_on", "limit_due", "late"),
    "dispatches": (
        "id", "case_id", "no", "lead_dept", "assist", "approver", "level", "tier", "dispatched_on", "received_on",
        "limit_due", "late", "due_original", "due_current", "due_estimated",
    ),
    "replies": ("id", "case_id", "dispatch_id", "result", "mode", "summary", "replied_on", "late"),
    "followups": ("id", "case_id", "reply_id", "method", "satisfaction", "followed_on"),
}  # fmt: skip
_ENDED = ("closed", "rejected", "forwarded", "void", "merged")
_INSERT_TRIGGER = re.compile(r"\bINSERT\s+ON\b", re.IGNORECASE)


def _bulk_triggers() -> dict[str, tuple[str, str, str]]:
    """Insert trigger -> (the SQL of the migration that made it, the statement that does its work for every
    row from id ? on, the table whose first new id that is)."""

    due = schema.OPEN_DUE.format(case="id") + " AND id >= ?"
    fts = (
        "INSERT INTO cases_fts (rowid, enterprise, problem, request) "
        "SELECT id, enterprise, problem, request FROM cases WHERE id >= ? ORDER BY id"
    )
    dispatch_spans = (
        f"INSERT OR REPLACE INTO dispatch_spans ({schema.SPAN_COLUMNS})"
        f"{schema.DISPATCH_SPAN.format(replies=schema.ALL_DISPATCHES)} WHERE d.id >= ?"
    )
    case_spans = schema.CASE_SPAN.format(c="c.id").replace("WHERE c.id = c.id", "WHERE c.id >= ?")
    active = "(SELECT case_id FROM dispatches WHERE status = 'active')"
    lead = LEAD.format(case="id") + f" AND id >= ? AND id IN {active}"
    urges = schema.URGES.format(case="id") + " AND id >= ? AND prior_urges != 0"
    codes = f"INSERT INTO tracking_codes (case_id, code) SELECT id, {CODE_SQL} FROM cases"
    answered = "(SELECT case_id FROM replies UNION SELECT case_id FROM followups)"
    latest = LATEST_ACTS.format(case="id") + f" AND id >= ? AND id IN {answered}"
    bulk = {
        "cases_due_open_insert": (sql_of(4), due, "cases"),
        "dispatches_lead_insert": (sql_of(22), lead, "cases"),
        "cases_urges_insert": (sql_of(16), urges, "cases"),
        "dispatches_due_open_insert": (sql_of(4), due, "cases"),
        "cases_fts_insert": (sql_of(4), fts, "cases"),
        "dispatch_spans_insert": (sql_of(14), dispatch_spans, "dispatches"),
        "dispatch_spans_reply_insert": (sql_of(14), dispatch_spans, "dispatches"),
        "case_spans_insert": (sql_of(14), case_spans, "cases"),
        "case_spans_escalation_insert": (sql_of(14), case_spans, "cases"),
        "case_spans_meeting_insert": (sql_of(14), case_spans, "cases"),
        "tracking_code_new": (sql_of(21), f"{codes} WHERE id >= ?", "cases"),
        "replies_latest_insert": (sql_of(22), latest, "cases"),
        "followups_latest_insert": (sql_of(22), latest, "cases"),
        "escalations_now_insert": (
            sql_of(23),
            ESCALATED.format(case="id") + " AND id >= ? AND id IN (SELECT case_id FROM escalations)",
            "cases",
        ),
        # after migration 14's spans of the new dispatches (triggers are replayed in their order)
        "dispatch_spans_keys_insert": (sql_of(24), SPAN_KEYS.format(where="id >= ?"), "dispatches"),
        "reply_keys_insert": (sql_of(24), REPLY_KEYS.format(where="r.id >= ?"), "replies"),
        "followup_keys_insert": (sql_of(24), FOLLOWUP_KEYS.format(where="f.id >= ?"), "followups"),
    }
    # Migration 27's day counts: the new rows' counts added once (its triggers all set aside).
    for name, (statement, table) in import_replays().items():
        bulk[name] = (sql_of(27), statement, table)
    # Migration 25 notes only a row put at or below its table's last one, and an import appends
    # (setting triggers aside moves the schema's version too: the next check reads everything).
    for t in ("tracking_codes", "dispatch_depts"):
        bulk[f"{t}_check_ins"] = (sql_of(25), "SELECT ?", "cases")
    # The rows `check` reads again (migration 13's log), noted all at once.
    for t in _COLUMNS:
        noted = f"INSERT INTO check_log (tbl, rid) SELECT '{t}', id FROM {t} WHERE id >= ?"
        bulk[f"{t}_check_ins"] = (sql_of(13), noted, t)
    return bulk


class Writer:
    """Rows added one at a time (`add`), written a batch at a time; `finish` writes the rest,
    the merges, the counters and the numbers the sheet skipped (voided)."""

    def __init__(self, ctx: Ctx, source: str, rows: int = 0):
        self.ctx, self.led, self.conn = ctx, ctx.ledger, ctx.ledger.conn
        self.source = source
        self.prefix = self.led.prefix
        self.next_id = {t: self._max_id(t) + 1 for t in _COLUMNS}
        self.counters = {(k, y): n for k, y, n in self.conn.execute("SELECT kind, year, next FROM counters")}
        self.moved: dict[tuple[str, int], None] = {}  # counters changed, in the order first touched
        self.pending: dict[str, list[tuple]] = {t: [] for t in _COLUMNS}
        self.rows = 0
        self.depts = {name for (name,) in self.conn.execute("SELECT name FROM departments")}
        self.new_depts: list[str] = []
        self.merges: list[tuple[str, tuple[int, int]]] = []  # (reg_no, (year, seq) it joined)
        self.today = ctx.today.isoformat()
        self.now = now_text()
        self.first_id = dict(self.next_id)
        self.first_case = self.first_id["cases"]
        self.suspended = self._suspend()
        self.indexes = self._drop_indexes() if rows >= max(REINDEX_ROWS, self.first_case - 1) else []

    def _drop_indexes(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the indexes set aside: only while no insert trigger is
        left on the tables (one would look rows up through them)."""
        tables = ", ".join(f"'{t}'" for t in _COLUMNS)
        triggers = self.conn.execute(f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({tables})")
        if any(_INSERT_TRIGGER.search(sql.split("BEGIN")[0]) for (sql,) in triggers):
            return []
        out = self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
            " ORDER BY rowid"
        ).fetchall()
        for name, _ in out:
            self.conn.execute(f'DROP INDEX "{name}"')
        return out

    def _suspend(self) -> list[tuple[str, str, str, str]]:
        """(name, CREATE statement, bulk statement, its table) of the triggers set aside (see
        above): those whose text is still their migration's own."""
        bulk = _bulk_triggers()
        stored = self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({', '.join('?' * len(bulk))})"
            " ORDER BY rowid",
            list(bulk),
        ).fetchall()
        out = [(name, sql, *bulk[name][1:]) for name, sql in stored if sql and sql in bulk[name][0]]
        for name, *_ in out:
            self.conn.execute(f'DROP TRIGGER "{name}"')
        return out

    def _restore(self) -> None:
        """Replay the set-aside triggers' work over the new rows, then put them back."""
        done = set()
        for _, _, statement, table in self.suspended:
            if statement not in done:
                done.add(statement)
                self.conn.execute(statement, [self.first_id[table]])
        for _, create, _, _ in self.suspended:
            self.conn.execute(create)
        self.suspended = []

    def _max_id(self, table: str) -> int:
        return self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]

    def _put(self, table: str, *values) -> int:
        rid = self.next_id[table]
        self.next_id[table] = rid + 1
        self.pending[table].append((rid, *values))
        return rid

    def flush(self) -> None:
        self.now = now_text()  # the entry time of the next batch's rows
        for table, rows in self.pending.items():
            if rows:
                cols = _COLUMNS[table]
                self.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows
                )
                rows.clear()

    # -- numbers -----------------------------------------------------------
    def _number(self, kind: str, year: int, seq: int | None, issued_on: str, case_id: int | None) -> tuple[int, str]:
        """Ledger.claim (seq given: check_sheet found it free) or Ledger.allocate (seq None)."""
        key = (kind, year)
        if seq is None:
            seq = self.counters.get(key, 1)
            self.counters[key] = seq + 1
        else:
            self.counters[key] = max(self.counters.get(key, seq + 1), seq + 1)
        self.moved[key] = None
        text = format_number(self.prefix, kind, year, seq)
        self._put("numbers", kind, year, seq, text, case_id, issued_on, 0)
        return seq, text

    # -- one row -----------------------------------------------------------
    def add(self, row: Row) -> None:
        for dept in [row.lead, *row.assist]:
            if dept and dept not in self.depts:
                self.depts.add(dept)
                self.new_depts.append(dept)
                self.conn.execute("INSERT INTO departments (name, added_on) VALUES (?, ?)", [dept, self.today])
        self._case(row)
        self.rows += 1
        if self.rows % BATCH == 0:
            self.flush()

    def _case(self, row: Row) -> None:
        ctx, f, cal = self.ctx, row.fields, self.ctx.cal
        accepted = f.get("accepted_on") or f["reported_on"]
        due = dispatch_due(cal, accepted, major=row.major)
        if row.state == "registered" and workdays_between(cal, due, ctx.today) != row.late:
            due = _late_by(cal, ctx.today, row.late)
        case_id = self.next_id["cases"]
        year, seq = row.reg if row.reg else (accepted.year, None)
        seq, reg_no = self._number("收", year, seq, accepted.isoformat(), case_id)
        row.reg_no = reg_no
        ended = (row.replied_on or accepted).isoformat() if row.state in _ENDED else None
        actor = ctx.actor
        self._put(
            "cases",
            *((f.get(k) or actor) if k == "accepted_by" else (f.get(k) or "") for k in _CASE_TEXT),
            f["reported_on"].isoformat(),
            accepted.isoformat(),
            row.state,
            due.isoformat(),
            int(cal.is_estimate(due)),
            "" if row.state == "closed" else row.supervision,
            row.urges,
            self.now,
            int(row.major),
            int(row.consult),
            ended,
            reg_no,
            year,
            seq,
        )
        detail = json.dumps({"source": self.source, "where": row.where}, ensure_ascii=False)
        self._put("events", case_id, self.now, self.today, ctx.actor, "import", detail)
        if row.merged_into:
            self.merges.append((reg_no, row.merged_into))
        if row.disp:
            self._handling(row, case_id, accepted)

    def _handling(self, row: Row, case_id: int, accepted) -> None:
        cal = self.ctx.cal
        kind, dyear, dseq = row.disp
        _, no = self._number(kind, dyear, dseq, (row.dispatched_on or accepted).isoformat(), case_id)
        disp_id = None
        if kind == "报":
            limit = dispatch_due(cal, accepted, major=True, escalation=True)
            # Without a 转报日期 the sheet still says how late it was: that many working days after the limit.
            on = row.dispatched_on or (add_workdays(cal, limit, row.late) if row.late else accepted)
            if row.state == "escalated" and workdays_between(cal, limit, on) != row.late:
                # A 退单 before the 转报 restarted its limit; the sheet keeps how late it was.
                limit = _late_by(cal, on, row.late)
            self._put(
                "escalations",
                case_id,
                no,
                row.approver,
                "（自Excel台帐导入）",
                on.isoformat(),
                limit.isoformat(),
                int(is_late(cal, limit, on)),
            )
        else:
            on = row.dispatched_on or accepted
            limit = dispatch_due(cal, accepted, major=row.major, has_assist=bool(row.assist))
            due_date = row.due or handling_due(cal, on, "一般")
            disp_id = self._put(
                "dispatches",
                case_id,
                no,
                row.lead,
                json.dumps(row.assist, ensure_ascii=False),
                row.approver or "（导入）",
                "导入",
                # The sheet gives the due date, not the tier: a one-month limit means 重大.
                "重大" if due_date == one_month_limit(cal, on) else "一般",
                on.isoformat(),
                on.isoformat(),
                limit.isoformat(),
                int(is_late(cal, limit, on)),
                due_date.isoformat(),
                due_date.isoformat(),
                int(cal.is_estimate(due_date)),
            )
        if not row.result:
            return
        reply_id = self._put(
            "replies",
            case_id,
            # A re-dispatched 专项督办 case: the answer came to a dispatch the sheet does not show.
            None if row.state == "dispatched" else disp_id,
            row.result,
            "导入",
            "（自Excel台帐导入）",
            row.replied_on.isoformat(),
            # The sheet's 超期工作日 of an answered case is how late its first reply was.
            0 if row.state == "dispatched" else row.late,
        )
        if row.satisfaction:
            self._put("followups", case_id, reply_id, "导入", row.satisfaction, row.replied_on.isoformat())

    # -- the end -----------------------------------------------------------
    def finish(self) -> None:
        self.flush()
        conn = self.conn
        for _, create in self.indexes:
            conn.execute(create)
        self.indexes = []
        for reg_no, (year, seq) in self.merges:
            (target,) = conn.execute("SELECT id FROM cases WHERE reg_year = ? AND reg_seq = ?", [year, seq]).fetchone()
            conn.execute("UPDATE cases SET merged_into = ? WHERE reg_no = ?", [target, reg_no])
        self._restore()
        conn.executemany(
            "INSERT INTO counters (kind, year, next) VALUES (?, ?, ?) "
            "ON CONFLICT(kind, year) DO UPDATE SET next = excluded.next",
            [(k, y, self.counters[(k, y)]) for k, y in self.moved],
        )
        self._fill_gaps()
        self.flush()

    def _fill_gaps(self) -> None:
        """Numbers the old ledger issued but the sheet does not show (a returned dispatch, a
        voided entry) are kept as voided, so the sequence stays whole and is never reused."""
        groups = self.conn.execute("SELECT kind, year, max(seq) FROM numbers GROUP BY kind, year").fetchall()
        for kind, year, top in groups:
            have = {s for (s,) in self.conn.execute("SELECT seq FROM numbers WHERE kind=? AND year=?", [kind, year])}
            for seq in sorted(set(range(1, top + 1)) - have):
                text = format_number(self.prefix, kind, year, seq)
                self._put("numbers", kind, year, seq, text, None, self.today, 1)


def _late_by(cal, today, late: int):
    """A dispatch limit `late` working days before today: a 退单 restarted the limit, and the
    sheet keeps how late the case is, not the date of the 退单."""
    due = today
    while workdays_between(cal, due, today) < late:
        due -= timedelta(days=1)
    return due
