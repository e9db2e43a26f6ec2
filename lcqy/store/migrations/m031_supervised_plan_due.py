"""Migration 31: the answered cases under 督办 on the agenda without a look-up of their reply.

The agenda places each answered case under 督办台帐 or 专项督办 every day (22,000 at 1,000,000
cases), by whether it is ready for 销号 and followed up (migration 23 keeps both on the case, as
answered_close and answered_note) and by the date it is due again: a 专项督办 deadline set after
the latest reply, else that reply's plan date. The plan date was the one thing read from the reply,
a random read for each case (half of the placing's time), so it is kept on the case too:

- cases.plan_due_now, the plan date of the case's latest reply (or NULL), set whenever the latest
  reply changes (migration 19's reply_now, moved only by the replies' and follow-ups' triggers)
  and when another program edits a reply's plan date;
- the answered cases under 督办 indexed with every column the agenda now reads of them.

Only the cases whose latest reply has a plan date are filled in (the others' NULL is right): an
UPDATE of every answered case would have `check` read them all again.
"""

# What plan_due_now stands for (`check --deep` compares it).
PLAN_DUE_NOW = "(SELECT plan_due FROM replies WHERE id = cases.reply_now)"

SQL = f"""
ALTER TABLE cases ADD COLUMN plan_due_now TEXT;
UPDATE cases SET plan_due_now = {PLAN_DUE_NOW} WHERE reply_now IN (SELECT id FROM replies WHERE plan_due IS NOT NULL);
CREATE TRIGGER cases_plan_due_now AFTER UPDATE OF reply_now ON cases
BEGIN UPDATE cases SET plan_due_now = {PLAN_DUE_NOW.replace("cases.", "NEW.")} WHERE id = NEW.id; END;
CREATE TRIGGER replies_plan_due_update AFTER UPDATE OF plan_due ON replies
BEGIN UPDATE cases SET plan_due_now = NEW.plan_due WHERE id = NEW.case_id AND reply_now = NEW.id; END;
DROP INDEX cases_answered_supervised;
CREATE INDEX cases_answered_supervised ON cases(
    state, supervision, id, reg_year, reg_seq, reg_no, enterprise, lead_now, urges_now, reply_now,
    answered_close, answered_note, plan_due_now
) WHERE state = 'replied' AND supervision != ''
"""
