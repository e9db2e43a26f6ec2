"""Migration 21: enterprises report, follow and rate their case online (第八条 网络收集、网络答复).

- submissions: what an enterprise sent on line, outside the numbered ledger until the clerk
  accepts it (第十条: verify first) or declines it with a reason the enterprise is shown;
  `digest` folds an identical submission sent again the same day into the first;
- submission_papers: its papers, kept in the blobs of migration 7 (stored once by content);
- enterprise_notes: information (and papers) an enterprise adds later to its submission or case;
- tracking_codes: every case's 查询码, whatever channel it came by (a trigger gives each new
  case one, the cases already in the ledger get theirs here). An accepted submission hands its
  own code on to the case, so the enterprise keeps the code it was given.

A code is 12 characters of an alphabet without look-alikes (no 0/O, 1/I/L): read out on the
phone, and with 31^12 values not guessed — the phone's last four digits and a lock-out after ten
wrong tries stand behind it too. SQLite's random() draws from the operating system's randomness.
"""

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CHAR = f"substr('{ALPHABET}', 1 + abs(random() % {len(ALPHABET)}), 1)"
CODE_SQL = " || ".join([_CHAR] * 12)

SQL = f"""
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    enterprise TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL,
    contact_title TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    problem TEXT NOT NULL,
    request TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    digest TEXT NOT NULL,
    folded INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
    case_id INTEGER REFERENCES cases(id),
    decided_on TEXT,
    decided_by TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX submissions_pending ON submissions(status, id) WHERE status = 'pending';
CREATE INDEX submissions_digest ON submissions(digest, submitted_on);
CREATE INDEX submissions_case ON submissions(case_id);
CREATE TABLE submission_papers (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    added_on TEXT NOT NULL
);
CREATE INDEX submission_papers_submission ON submission_papers(submission_id);
CREATE TABLE enterprise_notes (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER REFERENCES submissions(id),
    case_id INTEGER REFERENCES cases(id),
    text TEXT NOT NULL,
    papers INTEGER NOT NULL DEFAULT 0,
    added_on TEXT NOT NULL,
    CHECK ((submission_id IS NULL) != (case_id IS NULL))
);
CREATE INDEX enterprise_notes_submission ON enterprise_notes(submission_id);
CREATE INDEX enterprise_notes_added ON enterprise_notes(added_on);
CREATE TABLE tracking_codes (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    code TEXT NOT NULL UNIQUE
);
INSERT INTO tracking_codes (case_id, code) SELECT id, {CODE_SQL} FROM cases;
CREATE TRIGGER tracking_code_new AFTER INSERT ON cases BEGIN
    INSERT INTO tracking_codes (case_id, code) VALUES (NEW.id, {CODE_SQL});
END
"""
