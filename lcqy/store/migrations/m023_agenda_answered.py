"""Migration 23: the answered and escalated cases on the agenda without a look-up per case.

An answered case (not under 督办) is on the agenda to be followed up or closed according to its
latest reply and follow-up alone, whatever the day. The agenda read each answered case's reply
and follow-up rows to decide (two look-ups for every answered case, a quarter of the ledger,
though fewer than half of them are listed), so the decision is kept on the case:

- cases.answered_close: 1 ready for 销号, 0 to follow up, NULL neither (not answered, or followed
  up on its latest reply without meeting 第十八条), and cases.answered_note, the note the agenda
  shows (NULL likewise); both worked out again by a trigger whenever migration 19's triggers
  move the latest reply or follow-up (reply_now, followup_now), the only way either changes;
- the answered cases the agenda lists, by section and then in its order (due date, number), with
  every column it reads: each section is a stretch of this index;
- the answered cases under 督办, with every column the agenda reads of them: they were found by
  reading every answered case in migration 19's index (a tenth of them are supervised);
- cases.escalated_now, the date of the case's latest escalation (or NULL), kept by triggers on
  escalations like migration 19's reply_now, and the escalated cases in the agenda's order with
  every column it reads: whether a month has passed was read from the escalation's row.
"""

# Over the case row `cases`: its latest reply r and follow-up f (migration 19's columns).
_LATEST = "(SELECT {} FROM replies r LEFT JOIN followups f ON f.id = cases.followup_now WHERE r.id = cases.reply_now)"
# Of a latest reply r and follow-up f (the agenda of a past day uses them too): 1 ready for 销号
# (第十八条), 0 to follow up, NULL neither; and the note shown.
_READY = (
    "r.result = 'A' AND f.reply_id = r.id AND f.satisfaction IN ('满意', '基本满意') AND NOT coalesce(f.incomplete, 0)"
)
CLOSE = f"CASE WHEN {_READY} THEN 1 WHEN f.reply_id IS NOT r.id THEN 0 END"
NOTE = "iif(f.reply_id = r.id, 'A类答复，企业' || f.satisfaction, r.result || '类答复 ' || r.replied_on)"
# What the two columns stand for (check --deep compares them).
ANSWERED_CLOSE = _LATEST.format(CLOSE)
ANSWERED_NOTE = _LATEST.format(f"CASE WHEN ({CLOSE}) IS NOT NULL THEN {NOTE} END")
# What escalated_now stands for.
ESCALATED_NOW = (
    "(SELECT escalated_on FROM escalations WHERE id = (SELECT max(id) FROM escalations WHERE case_id = cases.id))"
)
# Kept for {case}; import-ledger sets the insert trigger aside and does its work once (write.py).
ESCALATED = f"UPDATE cases SET escalated_now = {ESCALATED_NOW} WHERE id = {{case}}"
_SET = f"UPDATE cases SET answered_close = {ANSWERED_CLOSE}, answered_note = {ANSWERED_NOTE} WHERE"

SQL = f"""
ALTER TABLE cases ADD COLUMN answered_close INTEGER;
ALTER TABLE cases ADD COLUMN answered_note TEXT;
{_SET} reply_now IS NOT NULL;
CREATE TRIGGER cases_answered_update AFTER UPDATE OF reply_now, followup_now ON cases BEGIN {_SET} id = NEW.id; END;
CREATE INDEX cases_answered ON cases(
    answered_close, due_open, reg_year, reg_seq, reg_no, enterprise, lead_now, answered_note, state, supervision
) WHERE state = 'replied' AND supervision = '' AND answered_close IS NOT NULL;
CREATE INDEX cases_answered_supervised ON cases(
    state, supervision, id, reg_year, reg_seq, reg_no, enterprise, lead_now, urges_now, reply_now, followup_now
) WHERE state = 'replied' AND supervision != '';
ALTER TABLE cases ADD COLUMN escalated_now TEXT;
{ESCALATED.format(case="id")} AND id IN (SELECT case_id FROM escalations);
CREATE TRIGGER escalations_now_insert AFTER INSERT ON escalations BEGIN {ESCALATED.format(case="NEW.case_id")}; END;
CREATE TRIGGER escalations_now_update AFTER UPDATE OF escalated_on, case_id ON escalations
BEGIN {ESCALATED.format(case="OLD.case_id")}; {ESCALATED.format(case="NEW.case_id")}; END;
CREATE TRIGGER escalations_now_delete AFTER DELETE ON escalations BEGIN {ESCALATED.format(case="OLD.case_id")}; END;
CREATE INDEX cases_escalated ON cases(state, due_open, reg_year, reg_seq, reg_no, enterprise, lead_now, escalated_now)
    WHERE state = 'escalated'
"""
