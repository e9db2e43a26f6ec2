"""Migration 17: the online platform (第八条) — accounts, 签收, departments' requests and notes,
urges read, and each dispatch's departments in a table of their own.

- users: a login per department user, leader or clerk; the Argon2 hash of the password (never
  the password); `generation` moves on every disable, reset and password change, which ends the
  sessions and tokens issued before it;
- api_tokens: only the SHA-256 of a token is kept (a token is as good as a password);
- dispatches.signed_on / signed_by: the lead department's 签收;
- dept_requests: an extension (申请延期) or a return (申请退单) asked for online, pending until the
  clerk grants it (the same act as `extend` / `return`) or declines it with a reason;
- dept_notes: an assisting department's 配合意见;
- urge_reads: the first time a department opened a 催办函 / 督办函 (已阅);
- dispatch_depts: each dispatch's lead and assisting departments, one row each, kept by triggers
  (on a dispatch's change, and on its case's lead_now, which every new dispatch sets):
  a department's cases are read from an index instead of parsing every dispatch's JSON list;
- a renamed department (`dept rename`) keeps its users, requests, notes and urges read.
"""

_DEPTS = """
DELETE FROM dispatch_depts WHERE dispatch_id = {d}.id;
INSERT INTO dispatch_depts (dispatch_id, case_id, dept, role, active)
    SELECT {d}.id, {d}.case_id, {d}.lead_dept, 'lead', {d}.status = 'active';
INSERT OR IGNORE INTO dispatch_depts (dispatch_id, case_id, dept, role, active)
    SELECT {d}.id, {d}.case_id, value, 'assist', {d}.status = 'active' FROM json_each({d}.assist)"""

# A new dispatch sets its case's lead_now (migration 16's insert trigger), which fills this table
# for the case: no insert trigger of our own on dispatches, so that import-ledger may still set
# the indexes aside and replay migration 16's work in bulk (lcqy/acts/import_write.py).
_CASE = """
DELETE FROM dispatch_depts WHERE case_id = NEW.id;
INSERT OR IGNORE INTO dispatch_depts (dispatch_id, case_id, dept, role, active)
    SELECT id, case_id, lead_dept, 'lead', status = 'active' FROM dispatches WHERE case_id = NEW.id;
INSERT OR IGNORE INTO dispatch_depts (dispatch_id, case_id, dept, role, active)
    SELECT d.id, d.case_id, j.value, 'assist', d.status = 'active' FROM dispatches d, json_each(d.assist) j
    WHERE d.case_id = NEW.id"""

SQL = f"""
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('dept', 'leader', 'clerk')),
    dept TEXT,
    pw_hash TEXT NOT NULL,
    must_change INTEGER NOT NULL DEFAULT 1,
    totp_required INTEGER NOT NULL DEFAULT 0,
    totp_secret TEXT NOT NULL DEFAULT '',
    disabled INTEGER NOT NULL DEFAULT 0,
    generation INTEGER NOT NULL DEFAULT 0,
    created_on TEXT NOT NULL,
    CHECK ((role = 'dept') = (dept IS NOT NULL))
);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    digest TEXT NOT NULL UNIQUE,
    generation INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE dispatches ADD COLUMN signed_on TEXT;
ALTER TABLE dispatches ADD COLUMN signed_by TEXT NOT NULL DEFAULT '';
CREATE TABLE dept_requests (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    dispatch_id INTEGER NOT NULL REFERENCES dispatches(id),
    dept TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('extension', 'return')),
    until TEXT,
    reason TEXT NOT NULL,
    asked_on TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'granted', 'declined')),
    decided_on TEXT,
    decided_by TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dept_requests_case ON dept_requests(case_id);
CREATE INDEX dept_requests_pending ON dept_requests(status) WHERE status = 'pending';
CREATE TABLE dept_notes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    dispatch_id INTEGER NOT NULL REFERENCES dispatches(id),
    dept TEXT NOT NULL,
    text TEXT NOT NULL,
    noted_on TEXT NOT NULL,
    noted_by TEXT NOT NULL
);
CREATE INDEX dept_notes_case ON dept_notes(case_id);
CREATE TABLE urge_reads (
    urge_id INTEGER NOT NULL REFERENCES urges(id),
    dept TEXT NOT NULL,
    read_at TEXT NOT NULL,
    read_by TEXT NOT NULL,
    PRIMARY KEY (urge_id, dept)
);
CREATE TABLE dispatch_depts (
    dispatch_id INTEGER NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    dept TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('lead', 'assist')),
    active INTEGER NOT NULL,
    PRIMARY KEY (dispatch_id, dept)
);
CREATE INDEX dispatch_depts_dept ON dispatch_depts(dept, active, case_id);
INSERT OR IGNORE INTO dispatch_depts (dispatch_id, case_id, dept, role, active)
    SELECT id, case_id, lead_dept, 'lead', status = 'active' FROM dispatches;
INSERT OR IGNORE INTO dispatch_depts (dispatch_id, case_id, dept, role, active)
    SELECT d.id, d.case_id, j.value, 'assist', d.status = 'active' FROM dispatches d, json_each(d.assist) j;
CREATE TRIGGER dispatch_depts_case AFTER UPDATE OF lead_now ON cases BEGIN {_CASE}; END;
CREATE TRIGGER dispatch_depts_update AFTER UPDATE OF lead_dept, assist, status, case_id ON dispatches
BEGIN {_DEPTS.format(d="NEW")}; END;
CREATE TRIGGER dispatch_depts_delete AFTER DELETE ON dispatches
BEGIN DELETE FROM dispatch_depts WHERE dispatch_id = OLD.id; END;
CREATE TRIGGER departments_rename_online AFTER UPDATE OF name ON departments BEGIN
    UPDATE users SET dept = NEW.name WHERE dept = OLD.name;
    UPDATE urge_reads SET dept = NEW.name WHERE dept = OLD.name;
    UPDATE dept_requests SET dept = NEW.name WHERE dept = OLD.name;
    UPDATE dept_notes SET dept = NEW.name WHERE dept = OLD.name;
END
"""
