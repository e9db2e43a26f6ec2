"""Migration 22: `list --all` without three look-ups per case at 1,000,000 cases.

- cases.result_now and cases.satisfaction_now, the result of the case's latest reply and the
  satisfaction of its latest follow-up (or NULL), kept beside migration 19's reply_now and
  followup_now by the same triggers: the list read 870,000 reply and follow-up rows for them;
- cases.dispatch_no_now, assist_now and due_current_now, the number, cooperating departments and
  limit of the case's active dispatch (or NULL), kept beside migration 16's lead_now by the same
  triggers: the list found that dispatch by a sub-query and read its row (700,000 of them).

Those triggers are made again here to set the new columns in the same UPDATE (a trigger of its
own would write each case twice and note it twice for `check`); the dispatch's also follows a
change of its number, departments or limit. The columns are filled by one UPDATE … FROM over the
cases that have a reply, follow-up or active dispatch."""

from lcqy.store.schema import FOLLOWUP_NOW, LEAD_NOW, REPLY_NOW

# What a case's new values stand for (`check --deep` compares them).
_ACTIVE = "FROM dispatches WHERE case_id = cases.id AND status = 'active' ORDER BY id DESC LIMIT 1"
DISPATCH_NO_NOW = f"(SELECT no {_ACTIVE})"
ASSIST_NOW = f"(SELECT assist {_ACTIVE})"
DUE_CURRENT_NOW = f"(SELECT due_current {_ACTIVE})"
RESULT_NOW = "(SELECT result FROM replies WHERE case_id = cases.id ORDER BY id DESC LIMIT 1)"
SATISFACTION_NOW = "(SELECT satisfaction FROM followups WHERE case_id = cases.id ORDER BY id DESC LIMIT 1)"
# Migration 19's statement with the two values: its triggers' work, and import-ledger's once over
# the new cases (lcqy.acts.records.write).
LATEST_ACTS = f"""
UPDATE cases SET reply_now = {REPLY_NOW}, followup_now = {FOLLOWUP_NOW},
    result_now = {RESULT_NOW}, satisfaction_now = {SATISFACTION_NOW}
WHERE id = {{case}}"""
# Migration 16's statement with the active dispatch's number, departments and limit, likewise.
LEAD = f"""
UPDATE cases SET lead_now = {LEAD_NOW}, dispatch_no_now = {DISPATCH_NO_NOW}, assist_now = {ASSIST_NOW},
    due_current_now = {DUE_CURRENT_NOW}
WHERE id = {{case}}"""

SQL = f"""
ALTER TABLE cases ADD COLUMN result_now TEXT;
ALTER TABLE cases ADD COLUMN satisfaction_now TEXT;
ALTER TABLE cases ADD COLUMN dispatch_no_now TEXT;
ALTER TABLE cases ADD COLUMN assist_now TEXT;
ALTER TABLE cases ADD COLUMN due_current_now TEXT;
UPDATE cases SET result_now = x.result, satisfaction_now = x.satisfaction, dispatch_no_now = x.no,
    assist_now = x.assist, due_current_now = x.due_current
FROM (
    SELECT c.id, r.result, f.satisfaction, d.no, d.assist, d.due_current FROM cases c
    LEFT JOIN replies r ON r.id = c.reply_now LEFT JOIN followups f ON f.id = c.followup_now
    LEFT JOIN dispatches d ON d.id = (SELECT max(id) FROM dispatches WHERE case_id = c.id AND status = 'active')
    WHERE c.reply_now IS NOT NULL OR c.followup_now IS NOT NULL
        OR c.id IN (SELECT case_id FROM dispatches WHERE status = 'active')
) x
WHERE cases.id = x.id;
DROP TRIGGER IF EXISTS replies_latest_insert;
DROP TRIGGER IF EXISTS replies_latest_update;
DROP TRIGGER IF EXISTS replies_latest_delete;
DROP TRIGGER IF EXISTS followups_latest_insert;
DROP TRIGGER IF EXISTS followups_latest_update;
DROP TRIGGER IF EXISTS followups_latest_delete;
CREATE TRIGGER replies_latest_insert AFTER INSERT ON replies BEGIN {LATEST_ACTS.format(case="NEW.case_id")}; END;
CREATE TRIGGER replies_latest_update AFTER UPDATE OF case_id, result ON replies
BEGIN {LATEST_ACTS.format(case="OLD.case_id")}; {LATEST_ACTS.format(case="NEW.case_id")}; END;
CREATE TRIGGER replies_latest_delete AFTER DELETE ON replies BEGIN {LATEST_ACTS.format(case="OLD.case_id")}; END;
CREATE TRIGGER followups_latest_insert AFTER INSERT ON followups BEGIN {LATEST_ACTS.format(case="NEW.case_id")}; END;
CREATE TRIGGER followups_latest_update AFTER UPDATE OF case_id, satisfaction ON followups
BEGIN {LATEST_ACTS.format(case="OLD.case_id")}; {LATEST_ACTS.format(case="NEW.case_id")}; END;
CREATE TRIGGER followups_latest_delete AFTER DELETE ON followups BEGIN {LATEST_ACTS.format(case="OLD.case_id")}; END;
DROP TRIGGER IF EXISTS dispatches_lead_insert;
DROP TRIGGER IF EXISTS dispatches_lead_update;
DROP TRIGGER IF EXISTS dispatches_lead_delete;
CREATE TRIGGER dispatches_lead_insert AFTER INSERT ON dispatches BEGIN {LEAD.format(case="NEW.case_id")}; END;
CREATE TRIGGER dispatches_lead_update AFTER UPDATE OF status, lead_dept, case_id, no, assist, due_current ON dispatches
BEGIN {LEAD.format(case="OLD.case_id")}; {LEAD.format(case="NEW.case_id")}; END;
CREATE TRIGGER dispatches_lead_delete AFTER DELETE ON dispatches BEGIN {LEAD.format(case="OLD.case_id")}; END
"""
