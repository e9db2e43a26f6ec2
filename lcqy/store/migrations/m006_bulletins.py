"""The 简报's 期号 (第十九条) and the indexes its monthly figures read by date."""

SQL = """
-- One row per month reported: the 期号 is numbered per year of the month and kept, so that
-- writing the same month's 简报 again gives the same number.
CREATE TABLE bulletins (
    month TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    issued_on TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX cases_accepted_on ON cases(accepted_on, state);
CREATE INDEX cases_ended_on ON cases(ended_on, state);
CREATE INDEX dispatches_dispatched_on ON dispatches(dispatched_on);
CREATE INDEX dispatches_due_current ON dispatches(due_current, status);
CREATE INDEX dispatches_returned_on ON dispatches(returned_on) WHERE status = 'returned';
CREATE INDEX replies_replied_on ON replies(replied_on);
CREATE INDEX replies_dispatch ON replies(dispatch_id, replied_on);
CREATE INDEX followups_reply ON followups(reply_id, followed_on);
CREATE INDEX followups_followed_on ON followups(followed_on);
CREATE INDEX urges_urged_on ON urges(urged_on);
CREATE INDEX events_action_on ON events(action, act_on);
"""
