"""Papers kept with a case (附件), the leader's 批示 and the county ⇄ city exchange packages."""

SQL = """
-- One row per distinct content: the same file attached twice is stored once.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    n INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    added_on TEXT NOT NULL,
    added_by TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    UNIQUE (case_id, n)
);
CREATE INDEX attachments_case ON attachments(case_id);
-- The leader's words on the 交办单 / 转报单 (printed on the generated 批示笺).
ALTER TABLE dispatches ADD COLUMN instruction TEXT NOT NULL DEFAULT '';
ALTER TABLE escalations ADD COLUMN instruction TEXT NOT NULL DEFAULT '';
-- Packages that went out or came in. The key names what a package carries, so the same
-- escalation, result or send-back is never taken in twice.
CREATE TABLE exchanges (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    kind TEXT NOT NULL CHECK (kind IN ('escalation', 'result', 'send-back')),
    key TEXT NOT NULL,
    peer_office TEXT NOT NULL,
    peer_prefix TEXT NOT NULL,
    peer_numbers TEXT NOT NULL DEFAULT '{}',
    done_on TEXT NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    file_sha256 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX exchanges_case ON exchanges(case_id);
CREATE UNIQUE INDEX exchanges_in_key ON exchanges(key) WHERE direction = 'in'
"""
