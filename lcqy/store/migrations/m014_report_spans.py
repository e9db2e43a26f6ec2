"""Migration 14: when each dispatch and each case stops being open, kept by triggers.

The 简报 takes a snapshot of a past day (the month's end): the dispatches still unanswered then,
and the cases still waiting for dispatch then. Asked per row ("is there a reply on or before the
day?"), that is a correlated look-up for every dispatch ever made; stored as a date, it is one
index range ("open until after the day").

- dispatch_spans, one row per dispatch: answered_on, the date of its earliest reply; open_until,
  the day it stopped awaiting a reply: that reply, or for a dispatch no longer active (退单,
  replaced) its returned_on ('' when it has none: never open). A dispatch is unanswered on day
  X when dispatched_on <= X < open_until. Also its first reply (the lowest id: what 按期办结 and
  the working days to reply judge) with that reply's date and lateness, and the dispatch's
  case and receipt day, so the first replies of a period are an index range of their own.
- case_spans, one row per case: undispatched_until, the first of its end, its first dispatch,
  escalation or 专题会议. A case awaits dispatch on day X when accepted_on <= X < undispatched_until.

Both are derived only: side tables (the dispatch and case rows, what `show` and the exchange
packages read, keep their columns), recomputed by triggers from the rows they come from.
"""

from lcqy.store.schema import ALL_DISPATCHES as _ALL_DISPATCHES
from lcqy.store.schema import CASE_SPAN as _CASE
from lcqy.store.schema import DISPATCH_SPAN as _SPAN
from lcqy.store.schema import SPAN_COLUMNS as _COLUMNS

_ONE_DISPATCH = (
    "JOIN (SELECT min(id) AS first_id, min(replied_on) AS answered_on FROM replies WHERE dispatch_id = {d}) r"
)
_DISPATCH = (
    f"INSERT OR REPLACE INTO dispatch_spans ({_COLUMNS}){_SPAN.format(replies=_ONE_DISPATCH)} WHERE d.id = {{d}}"
)


def _d(ref: str) -> str:
    return _DISPATCH.format(d=ref)


def _c(ref: str) -> str:
    return _CASE.format(c=ref)


SQL = f"""
CREATE TABLE dispatch_spans (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    received_on TEXT NOT NULL,
    answered_on TEXT,
    open_until TEXT NOT NULL,
    first_reply_id INTEGER,
    first_reply_on TEXT,
    first_reply_late INTEGER
);
CREATE TABLE case_spans (id INTEGER PRIMARY KEY, undispatched_until TEXT NOT NULL);
INSERT INTO dispatch_spans ({_COLUMNS}){_SPAN.format(replies=_ALL_DISPATCHES)};
{_c("c.id").replace(" WHERE c.id = c.id", "")};
CREATE INDEX dispatch_spans_open ON dispatch_spans(open_until);
CREATE INDEX dispatch_spans_first_reply ON dispatch_spans(first_reply_on);
CREATE INDEX replies_case_on ON replies(case_id, replied_on);
CREATE INDEX case_spans_open ON case_spans(undispatched_until);
CREATE TRIGGER dispatch_spans_insert AFTER INSERT ON dispatches BEGIN {_d("NEW.id")}; {_c("NEW.case_id")}; END;
CREATE TRIGGER dispatch_spans_update
AFTER UPDATE OF status, returned_on, dispatched_on, received_on, case_id ON dispatches
BEGIN {_d("NEW.id")}; {_c("OLD.case_id")}; {_c("NEW.case_id")}; END;
CREATE TRIGGER dispatch_spans_delete AFTER DELETE ON dispatches
BEGIN DELETE FROM dispatch_spans WHERE id = OLD.id; {_c("OLD.case_id")}; END;
CREATE TRIGGER dispatch_spans_reply_insert AFTER INSERT ON replies BEGIN {_d("NEW.dispatch_id")}; END;
CREATE TRIGGER dispatch_spans_reply_update AFTER UPDATE OF dispatch_id, replied_on, late ON replies
BEGIN {_d("OLD.dispatch_id")}; {_d("NEW.dispatch_id")}; END;
CREATE TRIGGER dispatch_spans_reply_delete AFTER DELETE ON replies BEGIN {_d("OLD.dispatch_id")}; END;
CREATE TRIGGER case_spans_insert AFTER INSERT ON cases BEGIN {_c("NEW.id")}; END;
CREATE TRIGGER case_spans_update AFTER UPDATE OF ended_on ON cases BEGIN {_c("NEW.id")}; END;
CREATE TRIGGER case_spans_delete AFTER DELETE ON cases BEGIN DELETE FROM case_spans WHERE id = OLD.id; END;
CREATE TRIGGER case_spans_escalation_insert AFTER INSERT ON escalations BEGIN {_c("NEW.case_id")}; END;
CREATE TRIGGER case_spans_escalation_update AFTER UPDATE OF escalated_on, case_id ON escalations
BEGIN {_c("OLD.case_id")}; {_c("NEW.case_id")}; END;
CREATE TRIGGER case_spans_escalation_delete AFTER DELETE ON escalations BEGIN {_c("OLD.case_id")}; END;
CREATE TRIGGER case_spans_meeting_insert AFTER INSERT ON events WHEN NEW.action = 'meeting'
BEGIN {_c("NEW.case_id")}; END;
CREATE TRIGGER case_spans_meeting_update AFTER UPDATE OF action, act_on, case_id ON events
WHEN OLD.action = 'meeting' OR NEW.action = 'meeting' BEGIN {_c("OLD.case_id")}; {_c("NEW.case_id")}; END;
CREATE TRIGGER case_spans_meeting_delete AFTER DELETE ON events WHEN OLD.action = 'meeting'
BEGIN {_c("OLD.case_id")}; END
"""
