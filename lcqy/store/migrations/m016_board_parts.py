"""Migration 16: the overdue board without a look-up per row at 100,000 cases.

- cases.lead_now (the lead department of the case's active dispatch, or NULL) and
  cases.urges_now (催办 and 督办 letters: those an imported sheet carried plus those logged),
  kept by triggers like migration 4's due_open, and carried in the board's covering indexes:
  reading them took two index probes a row, a quarter of the board's time;
- answered cases under 督办 (a few thousand of the answered tens of thousands) found without
  reading every answered case's row, for the board and the agenda;
- cases awaiting a special meeting, in number order, with every column the board shows;
- the earliest plan date and 专项督办 deadline (where the board's table of days late starts).
"""

from lcqy.store.schema import LEAD as _LEAD
from lcqy.store.schema import URGES as _URGES

SQL = f"""
ALTER TABLE cases ADD COLUMN lead_now TEXT;
ALTER TABLE cases ADD COLUMN urges_now INTEGER NOT NULL DEFAULT 0;
{_LEAD.format(case="id")} AND id IN (SELECT case_id FROM dispatches WHERE status = 'active');
{_URGES.format(case="id")} AND (prior_urges != 0 OR id IN (SELECT case_id FROM urges));
CREATE TRIGGER dispatches_lead_insert AFTER INSERT ON dispatches BEGIN {_LEAD.format(case="NEW.case_id")}; END;
CREATE TRIGGER dispatches_lead_update AFTER UPDATE OF status, lead_dept, case_id ON dispatches
BEGIN {_LEAD.format(case="OLD.case_id")}; {_LEAD.format(case="NEW.case_id")}; END;
CREATE TRIGGER dispatches_lead_delete AFTER DELETE ON dispatches BEGIN {_LEAD.format(case="OLD.case_id")}; END;
CREATE TRIGGER cases_urges_insert AFTER INSERT ON cases WHEN NEW.prior_urges != 0
BEGIN {_URGES.format(case="NEW.id")}; END;
CREATE TRIGGER cases_urges_update AFTER UPDATE OF prior_urges ON cases BEGIN {_URGES.format(case="NEW.id")}; END;
CREATE TRIGGER urges_count_insert AFTER INSERT ON urges BEGIN {_URGES.format(case="NEW.case_id")}; END;
CREATE TRIGGER urges_count_update AFTER UPDATE OF case_id ON urges
BEGIN {_URGES.format(case="OLD.case_id")}; {_URGES.format(case="NEW.case_id")}; END;
CREATE TRIGGER urges_count_delete AFTER DELETE ON urges BEGIN {_URGES.format(case="OLD.case_id")}; END;
DROP INDEX cases_board;
CREATE INDEX cases_board ON cases(
    due_open, reg_year, reg_seq, id, reg_no, enterprise, category, state, due_open_estimated, lead_now, urges_now
) WHERE due_open IS NOT NULL;
CREATE INDEX cases_meeting ON cases(state, reg_year, reg_seq, id, reg_no, enterprise, category, lead_now, urges_now)
    WHERE state = 'meeting';
CREATE INDEX cases_supervised ON cases(state, supervision) WHERE supervision != '';
CREATE INDEX replies_plan_due ON replies(plan_due) WHERE plan_due IS NOT NULL;
CREATE INDEX supervisions_due ON supervisions(due)
"""
