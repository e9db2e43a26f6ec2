"""第十八条 to the end: a B/C plan's promised date, 督办 told apart from 催办 (with the deadline
each was measured against), and the new deadlines set for 专项督办 cases."""

SQL = """
ALTER TABLE replies ADD COLUMN plan_due TEXT;
ALTER TABLE urges ADD COLUMN kind TEXT NOT NULL DEFAULT '催办';
ALTER TABLE urges ADD COLUMN due TEXT;
CREATE TABLE supervisions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    reply_id INTEGER NOT NULL REFERENCES replies(id),
    set_on TEXT NOT NULL,
    due TEXT NOT NULL,
    due_estimated INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL
);
CREATE INDEX supervisions_case ON supervisions(case_id)
"""
