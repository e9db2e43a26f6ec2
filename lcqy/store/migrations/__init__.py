"""Numbered schema migrations, applied in order on open (never edited once shipped).

Migrations 1-3 are below. Each later one is a module of its own in this package,
named `mNNN_what.py` with a module-level `SQL` string, so that work on different
areas adds files instead of editing one list.
"""

import importlib
import pkgutil

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters (
    kind TEXT NOT NULL, year INTEGER NOT NULL, next INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);
CREATE TABLE departments (name TEXT PRIMARY KEY, added_on TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    reg_no TEXT NOT NULL UNIQUE,
    reg_year INTEGER NOT NULL,
    reg_seq INTEGER NOT NULL,
    category TEXT NOT NULL,
    channel TEXT NOT NULL,
    enterprise TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    reported_on TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    contact_title TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    problem TEXT NOT NULL,
    request TEXT NOT NULL DEFAULT '',
    accepted_on TEXT NOT NULL,
    accepted_by TEXT NOT NULL DEFAULT '',
    remarks TEXT NOT NULL DEFAULT '',
    consult INTEGER NOT NULL DEFAULT 0,
    major INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    supervision TEXT NOT NULL DEFAULT '',
    dispatch_due TEXT NOT NULL,
    dispatch_due_estimated INTEGER NOT NULL DEFAULT 0,
    ended_on TEXT,
    end_reason TEXT NOT NULL DEFAULT '',
    end_note TEXT NOT NULL DEFAULT '',
    forward_dept TEXT NOT NULL DEFAULT '',
    merged_into INTEGER REFERENCES cases(id),
    source_no TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (reg_year, reg_seq)
);
CREATE TABLE numbers (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL UNIQUE,
    case_id INTEGER REFERENCES cases(id),
    issued_on TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, year, seq)
);
CREATE TABLE dispatches (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    no TEXT NOT NULL UNIQUE,
    lead_dept TEXT NOT NULL,
    assist TEXT NOT NULL DEFAULT '[]',
    approver TEXT NOT NULL,
    level TEXT NOT NULL,
    tier TEXT NOT NULL,
    dispatched_on TEXT NOT NULL,
    received_on TEXT NOT NULL,
    limit_due TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,
    due_original TEXT NOT NULL,
    due_current TEXT NOT NULL,
    due_estimated INTEGER NOT NULL DEFAULT 0,
    extend_reason TEXT NOT NULL DEFAULT '',
    override_reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    returned_on TEXT,
    return_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dispatches_case ON dispatches(case_id);
CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    no TEXT NOT NULL UNIQUE,
    approver TEXT NOT NULL,
    suggestion TEXT NOT NULL,
    escalated_on TEXT NOT NULL,
    limit_due TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE replies (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    dispatch_id INTEGER REFERENCES dispatches(id),
    result TEXT NOT NULL CHECK (result IN ('A', 'B', 'C')),
    mode TEXT NOT NULL,
    summary TEXT NOT NULL,
    doc_no TEXT NOT NULL DEFAULT '',
    plan TEXT NOT NULL DEFAULT '',
    replied_on TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,  -- working days after the due date (0: on time)
    CHECK (late >= 0)
);
CREATE INDEX replies_case ON replies(case_id);
CREATE TABLE followups (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    reply_id INTEGER NOT NULL REFERENCES replies(id),
    method TEXT NOT NULL,
    satisfaction TEXT NOT NULL,
    incomplete INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    followed_on TEXT NOT NULL
);
CREATE INDEX followups_case ON followups(case_id);
CREATE TABLE urges (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    dispatch_id INTEGER REFERENCES dispatches(id),
    urged_on TEXT NOT NULL,
    days_late INTEGER NOT NULL DEFAULT 0,
    reply_by TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX urges_case ON urges(case_id);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER REFERENCES cases(id),
    at TEXT NOT NULL,
    act_on TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_case ON events(case_id);
""",
    ),
    (
        2,
        """
-- 催办次数 carried over from an office's own Excel ledger (import-ledger): those urges
-- happened before the ledger, with no dates to record them by.
ALTER TABLE cases ADD COLUMN prior_urges INTEGER NOT NULL DEFAULT 0;
""",
    ),
    (
        3,
        """
-- The ledger query looks up each case's latest escalation.
CREATE INDEX escalations_case ON escalations(case_id);
""",
    ),
]


def _discovered() -> list[tuple[int, str]]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m") and info.name[1:4].isdigit():
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append((int(info.name[1:4]), module.SQL))
    return found


MIGRATIONS = sorted(MIGRATIONS + _discovered())
if len({n for n, _ in MIGRATIONS}) != len(MIGRATIONS):  # two files with one number
    raise RuntimeError("duplicate migration number")


def sql_of(number: int) -> str:
    """What migration `number` ran: where a trigger it made can be recognised (import-ledger sets
    aside only the triggers it knows)."""
    return dict(MIGRATIONS)[number]
