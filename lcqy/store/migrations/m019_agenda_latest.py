"""Migration 19: the agenda without a look-up per case at 100,000 cases and more.

- cases.reply_now and cases.followup_now, the ids of the case's latest reply and follow-up (or
  NULL), kept by triggers like migration 16's lead_now: the answered cases (a quarter of the
  ledger) were each read through two sub-queries to find them;
- the open cases the agenda places, by state and then in the order its sections list them (due
  date, registration number), with every column it reads of a case: a section is read from this
  index in its order, without touching the cases' rows (wide, for their text);
- the active dispatches not signed for, by lead department: the agenda looks for those of the
  departments that work on line (none, or a few), not through every dispatch.
"""

from lcqy.store.schema import AGENDA_STATES as _OPEN
from lcqy.store.schema import LATEST_ACTS as _LATEST

SQL = f"""
ALTER TABLE cases ADD COLUMN reply_now INTEGER;
ALTER TABLE cases ADD COLUMN followup_now INTEGER;
{_LATEST.format(case="id")} AND (id IN (SELECT case_id FROM replies) OR id IN (SELECT case_id FROM followups));
CREATE TRIGGER replies_latest_insert AFTER INSERT ON replies BEGIN {_LATEST.format(case="NEW.case_id")}; END;
CREATE TRIGGER replies_latest_update AFTER UPDATE OF case_id ON replies
BEGIN {_LATEST.format(case="OLD.case_id")}; {_LATEST.format(case="NEW.case_id")}; END;
CREATE TRIGGER replies_latest_delete AFTER DELETE ON replies BEGIN {_LATEST.format(case="OLD.case_id")}; END;
CREATE TRIGGER followups_latest_insert AFTER INSERT ON followups BEGIN {_LATEST.format(case="NEW.case_id")}; END;
CREATE TRIGGER followups_latest_update AFTER UPDATE OF case_id ON followups
BEGIN {_LATEST.format(case="OLD.case_id")}; {_LATEST.format(case="NEW.case_id")}; END;
CREATE TRIGGER followups_latest_delete AFTER DELETE ON followups BEGIN {_LATEST.format(case="OLD.case_id")}; END;
CREATE INDEX cases_agenda ON cases(
    state, due_open, reg_year, reg_seq, id, reg_no, enterprise, supervision, consult, major, lead_now, urges_now,
    reply_now, followup_now
) WHERE {_OPEN};
CREATE INDEX dispatches_unsigned ON dispatches(lead_dept, received_on) WHERE status = 'active' AND signed_on IS NULL
"""
