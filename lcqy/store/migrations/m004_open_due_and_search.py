"""Migration 4: what the overdue board and the list read from indexes at 100,000 cases.

- cases.due_open: the limit an open case works to now (the dispatch limit while awaiting
  dispatch, the active dispatch's current due date while being handled; NULL for every other
  state), with its estimate flag. Triggers keep it in step with every act that changes a
  state, a dispatch or a due date, so the acts themselves need not know about it.
- cases_fts: a trigram full-text index of enterprise, problem and request (`list --text`).
- indexes on the state and the due date of open cases.
"""

from lcqy.store.schema import OPEN_DUE as _DUE

_FTS_INSERT = (
    "INSERT INTO cases_fts (rowid, enterprise, problem, request) "
    "VALUES (NEW.id, NEW.enterprise, NEW.problem, NEW.request)"
)
_FTS_DELETE = (
    "INSERT INTO cases_fts (cases_fts, rowid, enterprise, problem, request) "
    "VALUES ('delete', OLD.id, OLD.enterprise, OLD.problem, OLD.request)"
)

SQL = f"""
ALTER TABLE cases ADD COLUMN due_open TEXT;
ALTER TABLE cases ADD COLUMN due_open_estimated INTEGER NOT NULL DEFAULT 0;
{_DUE.format(case="id")};
CREATE INDEX cases_due_open ON cases(due_open) WHERE due_open IS NOT NULL;
CREATE INDEX cases_state ON cases(state);
CREATE INDEX dispatches_lead ON dispatches(lead_dept, status);
CREATE TRIGGER cases_due_open_insert AFTER INSERT ON cases BEGIN {_DUE.format(case="NEW.id")}; END;
CREATE TRIGGER cases_due_open_update AFTER UPDATE OF state, dispatch_due, dispatch_due_estimated ON cases
BEGIN {_DUE.format(case="NEW.id")}; END;
CREATE TRIGGER dispatches_due_open_insert AFTER INSERT ON dispatches BEGIN {_DUE.format(case="NEW.case_id")}; END;
CREATE TRIGGER dispatches_due_open_update AFTER UPDATE OF due_current, due_estimated, status, case_id ON dispatches
BEGIN {_DUE.format(case="OLD.case_id")}; {_DUE.format(case="NEW.case_id")}; END;
CREATE TRIGGER dispatches_due_open_delete AFTER DELETE ON dispatches BEGIN {_DUE.format(case="OLD.case_id")}; END;
CREATE VIRTUAL TABLE cases_fts USING fts5(
    enterprise, problem, request, content='cases', content_rowid='id', tokenize='trigram'
);
INSERT INTO cases_fts (cases_fts) VALUES ('rebuild');
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN {_FTS_INSERT}; END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF enterprise, problem, request ON cases
BEGIN {_FTS_DELETE}; {_FTS_INSERT}; END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN {_FTS_DELETE}; END
"""
