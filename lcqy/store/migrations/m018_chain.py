"""Migration 18: a history that proves itself, and the office's signing key.

- `chain`: one link per event (ledger-wide, in the order written) and one per change of a
  case's stored state, each hashing its content with the previous link's hash
  (lcqy.store.chain). Existing ledgers get their chain when this migration runs (`after`).
- `chain_log`: triggers note every event or link changed or deleted (the acts never do
  either), so that the daily `check` looks at exactly those besides the new links.
- `chain_marks`: how far the last clean `check` verified the chain, and the head it saw.
- `office_keys`: the office's own Ed25519 key and the keys of the offices it exchanges
  packages with (trust on first use, or entered with `lcqy keys trust`).
"""

SQL = """
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


def after(led) -> None:
    """Chain the history already there and give the office its key (Python: SQLite has no
    SHA-256 of its own)."""
    from lcqy.store import chain

    chain.start(led)
