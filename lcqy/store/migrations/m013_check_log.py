"""Migration 13: what lets `check` stay under a second at 100,000 cases.

- A change log (`check_log`): a trigger on each table notes the row a write inserted or
  changed. `check` re-reads the stored text and papers of the noted rows only, once a full
  pass has found them clean (`check_passes`), and `check --deep` re-reads everything.
- Partial indexes that hold only the rows breaking a one-row rule of the measures (normally
  none), so that `check` reads them instead of every case.
- Indexes for the foreign keys and the numbering-date warning, which otherwise read whole tables.
"""

from lcqy.store.schema import CASES_UNSOUND, DISPATCHES_UNSOUND, TRACKED, trigger_sql

SQL = f"""
CREATE TABLE check_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, rid INTEGER NOT NULL);
CREATE TABLE check_passes (
    part TEXT PRIMARY KEY, through_seq INTEGER NOT NULL, schema_version INTEGER NOT NULL, passed_at TEXT NOT NULL
);
{";".join(trigger_sql(t, e) for t in TRACKED for e in ("INSERT", "UPDATE"))};
CREATE INDEX cases_unsound ON cases(id, reg_no, state, merged_into, supervision, accepted_on, reported_on)
    WHERE {CASES_UNSOUND};
CREATE INDEX dispatches_unsound ON dispatches(id, case_id, due_current, due_original) WHERE {DISPATCHES_UNSOUND};
CREATE INDEX cases_merged ON cases(merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX dispatches_active ON dispatches(case_id, status) WHERE status = 'active';
CREATE INDEX replies_latest ON replies(case_id, id, result);
CREATE INDEX numbers_case ON numbers(case_id) WHERE case_id IS NOT NULL;
CREATE INDEX numbers_dates ON numbers(kind, year, issued_on, seq)
"""
