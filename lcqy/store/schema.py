"""The SQL that the running code and the migrations share: the expressions behind the stored
columns and indexes, and the statements that keep them, which the acts use to look up, check and
bulk-fill what the triggers keep row by row.

A migration that ran with one of these keeps its text: tests/test_schema.py pins every migration's
SQL. To change one of them, freeze the old text in the migrations that used it, and write the new
one here with the migration that brings it in.
"""

# -- migration 4: the limit an open case works to now (cases.due_open) ----------------------------

OPEN_DUE = """
UPDATE cases SET
  due_open = CASE state
    WHEN 'registered' THEN dispatch_due
    WHEN 'dispatched' THEN (SELECT due_current FROM dispatches
                            WHERE case_id = cases.id AND status = 'active' ORDER BY id DESC LIMIT 1)
  END,
  due_open_estimated = CASE state
    WHEN 'registered' THEN dispatch_due_estimated
    WHEN 'dispatched' THEN coalesce((SELECT due_estimated FROM dispatches
                            WHERE case_id = cases.id AND status = 'active' ORDER BY id DESC LIMIT 1), 0)
    ELSE 0
  END
WHERE id = {case}"""

# -- migration 10: likely duplicates, compared in a normalised form with an index on it -----------

_SPACES = ("' '", "'\u3000'", "char(9)", "char(10)", "char(13)")
# Longest first: 股份有限公司 must go before 有限公司 leaves 股份 behind.
_ENTERPRISE_WORDS = tuple(f"'{w}'" for w in ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司", *"()（）"))
# No ASCII ";": the migration runner splits statements on it.
_PUNCTUATION = tuple(f"'{c}'" for c in '，。、；：,.:！!？?“”"')


def _stripped(column: str, words: tuple[str, ...]) -> str:
    expr = f"lower({column})"
    for w in words:
        expr = f"replace({expr}, {w}, '')"
    return expr


ENTERPRISE_KEY = _stripped("{}", _SPACES + _ENTERPRISE_WORDS)
PROBLEM_KEY = _stripped("{}", _SPACES + _PUNCTUATION)

# -- migration 13: the change log `check` reads, and the one-row rules' partial indexes -----------

# Tables holding the clerk's text or papers at this migration. A table added later has no
# trigger: `check` then reads it whole every time, which stays correct.
TRACKED = (
    "meta", "counters", "departments", "calendar_days", "cases", "numbers", "dispatches", "escalations",
    "replies", "followups", "urges", "events", "supervisions", "blobs", "attachments", "exchanges", "bulletins",
)  # fmt: skip


def trigger_sql(table: str, event: str) -> str:
    """The trigger that notes a row of `table` written by `event` (INSERT or UPDATE)."""
    return (
        f"CREATE TRIGGER {table}_check_{event[:3].lower()} AFTER {event} ON {table} "
        f"BEGIN INSERT INTO check_log (tbl, rid) VALUES ('{table}', NEW.rowid); END"
    )


# One row of cases that breaks a rule by itself (each rule is said apart by `check`).
CASES_UNSOUND = (
    "(state = 'merged') != (merged_into IS NOT NULL) OR merged_into = id "
    "OR (supervision != '' AND state NOT IN ('replied', 'dispatched')) OR accepted_on < reported_on"
)
DISPATCHES_UNSOUND = "due_current < due_original"

# -- migration 14: when each dispatch and each case stops being open -----------------------------

SPAN_OPEN = "'9999-12-31'"

SPAN_COLUMNS = "id, case_id, received_on, answered_on, open_until, first_reply_id, first_reply_on, first_reply_late"
DISPATCH_SPAN = f"""
SELECT d.id, d.case_id, d.received_on, r.answered_on,
       min(coalesce(r.answered_on, {SPAN_OPEN}),
           CASE WHEN d.status = 'active' THEN {SPAN_OPEN} ELSE coalesce(d.returned_on, '') END),
       r.first_id, f.replied_on, f.late
FROM dispatches d {{replies}} LEFT JOIN replies f ON f.id = r.first_id"""
ALL_DISPATCHES = (
    "LEFT JOIN (SELECT dispatch_id, min(id) AS first_id, min(replied_on) AS answered_on FROM replies "
    "WHERE dispatch_id IS NOT NULL GROUP BY dispatch_id) r ON r.dispatch_id = d.id"
)
CASE_SPAN = f"""
INSERT OR REPLACE INTO case_spans (id, undispatched_until)
SELECT c.id, min(coalesce(c.ended_on, {SPAN_OPEN}),
                 coalesce((SELECT min(dispatched_on) FROM dispatches WHERE case_id = c.id), {SPAN_OPEN}),
                 coalesce((SELECT min(escalated_on) FROM escalations WHERE case_id = c.id), {SPAN_OPEN}),
                 coalesce((SELECT min(act_on) FROM events WHERE case_id = c.id AND action = 'meeting'), {SPAN_OPEN}))
FROM cases c WHERE c.id = {{c}}"""

# -- migration 16: each case's lead department and 催办 count, kept on the case ------------------

# What the two columns stand for (also what `check --deep` compares them with).
LEAD_NOW = """(SELECT lead_dept FROM dispatches
                             WHERE case_id = cases.id AND status = 'active' ORDER BY id DESC LIMIT 1)"""
URGES_NOW = "prior_urges + (SELECT count(*) FROM urges WHERE case_id = cases.id)"
LEAD = f"""
UPDATE cases SET lead_now = {LEAD_NOW}
WHERE id = {{case}}"""
URGES = f"""
UPDATE cases SET urges_now = {URGES_NOW}
WHERE id = {{case}}"""

# -- migration 18: the history chain, its change log and marks, the offices' keys (lcqy.store.chain) --

CHAIN = """
CREATE TABLE chain (
    seq INTEGER PRIMARY KEY,
    event_id INTEGER UNIQUE,
    case_id INTEGER,
    state TEXT,
    hash TEXT NOT NULL
);
CREATE INDEX chain_case ON chain(case_id, seq);
CREATE TABLE chain_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, rid INTEGER NOT NULL);
CREATE TRIGGER events_chain_update AFTER UPDATE ON events
BEGIN INSERT INTO chain_log (tbl, rid) VALUES ('events', OLD.id);
    INSERT INTO chain_log (tbl, rid) VALUES ('events', NEW.id); END;
CREATE TRIGGER events_chain_delete AFTER DELETE ON events
BEGIN INSERT INTO chain_log (tbl, rid) VALUES ('events', OLD.id); END;
CREATE TRIGGER chain_chain_update AFTER UPDATE ON chain
BEGIN INSERT INTO chain_log (tbl, rid) VALUES ('chain', OLD.seq);
    INSERT INTO chain_log (tbl, rid) VALUES ('chain', NEW.seq); END;
CREATE TRIGGER chain_chain_delete AFTER DELETE ON chain
BEGIN INSERT INTO chain_log (tbl, rid) VALUES ('chain', OLD.seq); END;
CREATE TABLE chain_marks (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    log_seq INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    checked_at TEXT NOT NULL
);
CREATE TABLE office_keys (
    id INTEGER PRIMARY KEY,
    own INTEGER NOT NULL DEFAULT 0,
    office_name TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT '',
    public_key TEXT NOT NULL,
    private_key TEXT,
    fingerprint TEXT NOT NULL,
    how TEXT NOT NULL,
    added_on TEXT NOT NULL
);
CREATE UNIQUE INDEX office_keys_own ON office_keys(own) WHERE own = 1;
CREATE UNIQUE INDEX office_keys_peer ON office_keys(office_name, prefix) WHERE own = 0
"""

# -- migration 19: each case's latest reply and follow-up, kept on the case --------------------

# What the two columns stand for (each act adds its row; a row deleted or moved by another
# program is followed too).
REPLY_NOW = "(SELECT max(id) FROM replies WHERE case_id = cases.id)"
FOLLOWUP_NOW = "(SELECT max(id) FROM followups WHERE case_id = cases.id)"
LATEST_ACTS = f"""
UPDATE cases SET reply_now = {REPLY_NOW}, followup_now = {FOLLOWUP_NOW}
WHERE id = {{case}}"""
# Kept for the boards' reading only: not part of a case as the acts and their output show it.
LATEST_COLUMNS = (
    "reply_now", "followup_now", "result_now", "satisfaction_now", "dispatch_no_now", "assist_now", "due_current_now",
    "answered_close", "answered_note", "escalated_now", "plan_due_now",
)  # fmt: skip
# The states the agenda places a case from (an OR, not IN: SQLite sees that `state = 'replied'`
# implies an OR of equalities, and so uses the partial index, but not an IN list).
AGENDA_STATES = " OR ".join(f"state = '{s}'" for s in ("registered", "dispatched", "meeting", "escalated", "replied"))
